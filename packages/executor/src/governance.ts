// The workspace's governance state — profiles, tool grants, model bindings — folded from the reserved
// stream that profile.create, tool_grant.apply/revoke and model_provider.bind write; and usage.
import type {
  AgentMachineProfile,
  ModelProviderBinding,
  ToolGrantRecord,
  UsageRecord,
} from "@workspace-ops/contracts";
import type { Store, StoredRecord } from "@workspace-ops/store";
import type { Phase } from "./context.js";
import { reservedStreams } from "./ids.js";

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

/** What was folded so far, per store: every decision reads only the records after it (usually none). */
const folded = new WeakMap<Store, { lastSeq: number; state: GovernanceState }>();

const empty = (): GovernanceState => ({
  profiles: new Map(),
  activeProfileId: null,
  grants: new Map(),
  bindings: new Map(),
});

/** The state as of now: one read of the records added since the last call (an indexed range). */
export async function readGovernance(store: Store): Promise<GovernanceState> {
  const known = folded.get(store) ?? { lastSeq: 0, state: empty() };
  const added = await store.read(reservedStreams.governance, { afterSeq: known.lastSeq });
  if (added.length === 0) return known.state;
  // A new state object each time something changed: a caller may still hold the previous one.
  const state = fold(copy(known.state), added);
  folded.set(store, { lastSeq: added.at(-1)?.seq ?? known.lastSeq, state });
  return state;
}

const copy = (s: GovernanceState): GovernanceState => ({
  profiles: new Map(s.profiles),
  activeProfileId: s.activeProfileId,
  grants: new Map(s.grants),
  bindings: new Map(s.bindings),
});

function fold(state: GovernanceState, records: readonly StoredRecord[]): GovernanceState {
  for (const record of records) {
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

/** Adds the change (to the governance stream, audited) to the phase that ends its operation. */
export const recordGovernance = (phase: Phase, change: GovernanceChange): Phase =>
  phase.reserved(reservedStreams.governance, change.type, change.data);

/** Usage of one persona within the minute before `now` (the window of the per-minute budgets): an indexed range. */
export async function recentUsage(store: Store, persona: string, now: Date): Promise<UsageRecord[]> {
  return (await store.usageSince(persona, new Date(now.getTime() - 60_000))) as UsageRecord[];
}
