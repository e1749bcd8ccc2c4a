import type { LocalDriverContext } from './driver-context.js';
import { newReplica, replicaId, type Workload } from './local-workload.js';
import type { ReplicaSupervisor } from './replica-supervisor.js';
import { planRollout, type RolloutAction } from './rollout-plan.js';

/**
 * Brings a workload's replicas toward what it wants: plans the rollout (`rollout-plan.ts`) and
 * has the supervisor carry it out. Synchronous: every decision sees the state as it is, and
 * everything slow (spawning, stopping) reports back by calling `kick` again.
 */
export interface WorkloadReconciler {
  kick(workload: Workload): void;
}

export function createWorkloadReconciler(ctx: LocalDriverContext, supervisor: ReplicaSupervisor): WorkloadReconciler {
  function kick(workload: Workload): void {
    if (ctx.closed || workload.removed) return;
    if (workload.reconciling) {
      workload.dirty = true;
      return;
    }
    workload.reconciling = true;
    try {
      do {
        workload.dirty = false;
        reconcile(workload);
      } while (workload.dirty && !ctx.closed && !workload.removed);
    } finally {
      workload.reconciling = false;
    }
    void ctx.persist(workload);
  }

  function reconcile(workload: Workload): void {
    // Taken by this plan; GPUs freed while it is carried out ask again for the next one.
    const retryFailed = workload.retryFailed;
    workload.retryFailed = false;
    const plan = planRollout({
      name: workload.name,
      specHash: workload.spec.specHash,
      desired: workload.desired,
      strategy: workload.spec.strategy,
      retryFailed,
      replicas: [...workload.replicas.values()].map((replica) => ({
        id: replica.id,
        index: replica.index,
        specHash: replica.spec.specHash,
        state: replica.state,
        hasProcess: replica.pid !== null,
      })),
    });
    for (const action of plan.actions) execute(workload, action);
  }

  function execute(workload: Workload, action: RolloutAction): void {
    if (action.type === 'start') {
      const replica = newReplica(workload, workload.spec, replicaId(workload.name, workload.spec.specHash, action.index), action.index);
      workload.replicas.set(replica.id, replica);
      void supervisor.launch(workload, replica);
      return;
    }
    const replica = workload.replicas.get(action.replica);
    if (!replica) return;
    if (action.type === 'stop') {
      void supervisor.stop(workload, replica, action.why);
    } else {
      replica.restarts += 1;
      void supervisor.launch(workload, replica);
    }
  }

  return { kick };
}
