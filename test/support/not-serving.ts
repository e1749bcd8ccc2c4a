/**
 * Passes when `endpoint` no longer serves the deployment `name`: nothing listens, or the port
 * was already taken by another replica (other test files start runtimes in parallel, and a
 * freed port can be reused at once) that answers to another name — or refuses `token`, the
 * replica's own (local replicas answer only their own token).
 */
export async function isNotServing(endpoint: string, name: string, token?: string | null): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/models`, { signal: AbortSignal.timeout(5000), ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
    const body = (await response.json().catch(() => ({ data: [] }))) as { data?: Array<{ id: string }> };
    return !(body.data ?? []).some((model) => model.id === name);
  } catch {
    return true;
  }
}
