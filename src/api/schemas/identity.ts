import { z } from "zod";

export const whoamiQuery = z.object({});

/** Whom the request's API key acts for, as /product/whoami answers it. */
export const Whoami = z
  .object({
    mode: z.enum(["open", "user", "admin"]).describe("open: the server has no API keys; user: a user's key; admin: an admin key (`*`)"),
    user_id: z.string().nullable().describe("The key's user, the default user_id of every /product route; null in open mode and for admin keys"),
    read_only: z.boolean().describe("Whether the key may only read (writes are refused with 403)"),
    admin: z.boolean().describe("Whether the key may act for any user and call the admin routes"),
  })
  .meta({ id: "Whoami" });
