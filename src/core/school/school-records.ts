/**
 * What a session asks of the school beyond this PC (the hub, through the machine service).
 * Every answer may be "unknown": the PC then decides from its own records alone, so a
 * terminal without a hub, or with the hub down, behaves exactly as before.
 */
export interface SchoolRecords {
  /** Has this person accepted this exact agreement text on any PC of the school? */
  hasAccepted(
    person: string,
    agreementId: string,
    version: string,
    textHash: string,
  ): Promise<{ answer: 'yes'; at: string | null } | { answer: 'no' } | { answer: 'unknown' }>;
  /** A PIN was stored on this PC: the school's other PCs should accept it too. */
  pinStored(person: string, role: string, hash: string): Promise<void>;
  /** A PIN hash set on another PC of the school (synced, so it works offline); undefined if none. */
  pinOf(person: string): { hash: string; role: string; setAt: string } | undefined;
}
