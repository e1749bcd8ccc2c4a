/** What GET /api/deployments/:id answers, as far as the deployment suites read it. */
export interface DeploymentBody {
  id: string;
  name: string;
  status: string;
  statusSource: string;
  statusReason: string | null;
  statusMessage: string;
  replicas: number;
  readyReplicas: number;
  endpoints: string[];
}
