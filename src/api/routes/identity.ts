import type { z } from "zod";
import type { App } from "../app-env.js";
import { queryJson } from "../route.js";
import { Whoami, whoamiQuery } from "../schemas/identity.js";

/** GET /product/whoami: what the caller's key stands for, so that a client (the playground, `memcube mcp --url`) need not be told its user. */
export function identityRoutes(app: App): void {
  queryJson(
    app,
    {
      method: "get",
      path: "/product/whoami",
      caller: "key",
      readOnly: true,
      tag: "service",
      summary: "Whom the API key acts for: its user (the default user_id), read-only, admin",
      query: whoamiQuery,
      data: Whoami,
    },
    async (_input, c): Promise<z.infer<typeof Whoami>> => {
      const principal = c.get("principal");
      if (principal.kind === "open") return { mode: "open", user_id: null, read_only: false, admin: false };
      const read_only = principal.readOnly === true;
      if (principal.kind === "admin") return { mode: "admin", user_id: null, read_only, admin: true };
      return { mode: "user", user_id: principal.userId, read_only, admin: false };
    },
  );
}
