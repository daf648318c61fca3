import { z } from 'zod';

/** The live channel (WebSocket, signed upgrade): HQ nudges, the device pulls. It carries no data. */
export const liveMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }).strict(),
  /** Something changed in these scopes of yours: pull now. */
  z.object({ type: z.literal('changed'), scopes: z.array(z.string()) }).strict(),
  /** This device was revoked: stop syncing and show it. */
  z.object({ type: z.literal('revoked') }).strict(),
]);
export type LiveMessage = z.infer<typeof liveMessageSchema>;
