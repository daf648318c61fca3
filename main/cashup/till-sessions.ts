import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';

export type TillSessionRow = {
  id: string;
  business_day: string;
  opened_at: string;
  opened_by: string;
  float_fen: number;
  closed_at: string | null;
  closed_by: string | null;
  counted: string | null;
  blind: number;
};

/** The till's open business day, if any: sales and cash movements belong to it. */
export class TillSessions {
  private readonly openStmt: Statement<[], TillSessionRow>;
  private readonly lastClosedStmt: Statement<[], TillSessionRow>;

  constructor(db: Database) {
    this.openStmt = db.prepare('SELECT * FROM till_session WHERE closed_at IS NULL');
    this.lastClosedStmt = db.prepare('SELECT * FROM till_session WHERE closed_at IS NOT NULL ORDER BY closed_at DESC LIMIT 1');
  }

  open(): TillSessionRow | undefined {
    return this.openStmt.get();
  }

  lastClosed(): TillSessionRow | undefined {
    return this.lastClosedStmt.get();
  }
}
