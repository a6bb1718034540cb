// The workspace's governance state — profiles, tool grants, model bindings and usage — folded from
// the append-only streams that profile.create, tool_grant.apply/revoke and model_provider.bind write.
import type {
  AgentMachineProfile,
  ModelProviderBinding,
  ToolGrantRecord,
  UsageRecord,
} from "@workspace-ops/contracts";
import { reservedStreams } from "./ids.js";
import type { Store } from "./store/index.js";

export interface GovernanceState {
  /** Profiles by id; the latest created is the active one unless a request names another. */
  profiles: Map<string, AgentMachineProfile>;
  activeProfileId: string | null;
  grants: Map<string, ToolGrantRecord>;
  /** Bindings by persona (the latest wins). */
  bindings: Map<string, ModelProviderBinding>;
}

export type GovernanceChange =
  | { type: "profile"; data: AgentMachineProfile }
  | { type: "grant"; data: ToolGrantRecord }
  | { type: "grant_revoked"; data: { grantId: string; revokedAt: string; revocationReason?: string } }
  | { type: "binding"; data: ModelProviderBinding };

export async function readGovernance(store: Store): Promise<GovernanceState> {
  const state: GovernanceState = {
    profiles: new Map(),
    activeProfileId: null,
    grants: new Map(),
    bindings: new Map(),
  };
  for (const record of await store.read(reservedStreams.governance)) {
    const change = { type: record.type, data: record.data } as GovernanceChange;
    switch (change.type) {
      case "profile":
        state.profiles.set(change.data.profileId, change.data);
        state.activeProfileId = change.data.profileId;
        break;
      case "grant":
        state.grants.set(change.data.grantId, change.data);
        break;
      case "grant_revoked": {
        const grant = state.grants.get(change.data.grantId);
        if (grant) {
          const revoked: ToolGrantRecord = { ...grant, revokedAt: change.data.revokedAt };
          if (change.data.revocationReason) revoked.revocationReason = change.data.revocationReason;
          state.grants.set(grant.grantId, revoked);
        }
        break;
      }
      case "binding":
        state.bindings.set(change.data.persona, change.data);
        break;
    }
  }
  return state;
}

export function recordGovernance(store: Store, change: GovernanceChange) {
  return store.append(reservedStreams.governance, change.type, change.data);
}

/** Usage of one persona within the minute before `now` (the window of the per-minute budgets). */
export async function recentUsage(store: Store, persona: string, now: Date): Promise<UsageRecord[]> {
  const since = now.getTime() - 60_000;
  return (await store.read(reservedStreams.usage))
    .map((r) => r.data as UsageRecord)
    .filter((u) => u.persona === persona && Date.parse(u.occurredAt) >= since);
}
