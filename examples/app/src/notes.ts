/**
 * Notes, the API's resource, in the tenant's table `notes`. A note created with an idempotency key
 * is created once: a repeat returns the first one (and a repeat with another text is a conflict),
 * so a client that retries after a lost reply makes no duplicate.
 */
import type { PoolClient } from "pg";
import { AppError } from "./errors";
import { isUndefinedTable } from "./schema";

/** A note as the API returns it. */
export interface Note {
  readonly id: number;
  readonly text: string;
  readonly idempotencyKey: string | null;
  readonly createdAt: string;
}

/** The longest text of a note, in characters. */
export const MAX_NOTE_CHARS = 10_000;

const COLUMNS = "id, text, idempotency_key, created_at";

function toNote(row: { id: string; text: string; idempotency_key: string | null; created_at: Date }): Note {
  return { id: Number(row.id), text: row.text, idempotencyKey: row.idempotency_key, createdAt: row.created_at.toISOString() };
}

/** Creates a note; `created` is false when `key` had made it before (same text), a conflict when the text differs. */
export async function createNote(client: PoolClient, text: string, key: string | undefined): Promise<{ note: Note; created: boolean }> {
  const inserted = await client.query(
    `INSERT INTO notes (text, idempotency_key) VALUES ($1, $2) ON CONFLICT (idempotency_key) DO NOTHING RETURNING ${COLUMNS}`,
    [text, key ?? null],
  );
  if (inserted.rows.length) return { note: toNote(inserted.rows[0]), created: true };
  const existing = await client.query(`SELECT ${COLUMNS} FROM notes WHERE idempotency_key = $1`, [key]);
  const note = toNote(existing.rows[0]);
  if (note.text !== text)
    throw new AppError("conflict", `Idempotency-Key ${JSON.stringify(key)} already created note ${note.id} with another text`);
  return { note, created: false };
}

/** Up to `limit` notes with ids above `after`, by id (none before the first note made the table). */
export async function listNotes(client: PoolClient, after: number, limit: number): Promise<Note[]> {
  try {
    const result = await client.query(`SELECT ${COLUMNS} FROM notes WHERE id > $1 ORDER BY id LIMIT $2`, [after, limit]);
    return result.rows.map(toNote);
  } catch (error) {
    if (isUndefinedTable(error)) return [];
    throw error;
  }
}

/** The note `id`, if any. */
export async function getNote(client: PoolClient, id: number): Promise<Note | undefined> {
  try {
    const result = await client.query(`SELECT ${COLUMNS} FROM notes WHERE id = $1`, [id]);
    return result.rows.length ? toNote(result.rows[0]) : undefined;
  } catch (error) {
    if (isUndefinedTable(error)) return undefined;
    throw error;
  }
}
