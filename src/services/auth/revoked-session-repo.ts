import { eq, lt } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { revokedSessions } from '../../db/schema/index.js';

export function createRevokedSessionRepo(db: Database) {
  return {
    /** Records a signed-out session; signing out twice is the same as once. */
    async insert(row: { tokenId: string; userId: string; expiresAt: Date }): Promise<void> {
      await db.insert(revokedSessions).values(row).onConflictDoNothing();
    },
    async exists(tokenId: string): Promise<boolean> {
      const rows = await db.select({ tokenId: revokedSessions.tokenId }).from(revokedSessions).where(eq(revokedSessions.tokenId, tokenId)).limit(1);
      return rows.length > 0;
    },
    /** Deletes revocations of tokens that expired before `cutoff`; returns how many went. */
    async deleteExpiredBefore(cutoff: Date): Promise<number> {
      const deleted = await db.delete(revokedSessions).where(lt(revokedSessions.expiresAt, cutoff)).returning({ tokenId: revokedSessions.tokenId });
      return deleted.length;
    },
  };
}

export type RevokedSessionRepo = ReturnType<typeof createRevokedSessionRepo>;
