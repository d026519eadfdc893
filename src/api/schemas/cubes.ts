import { z } from "zod";
import { Id, nonBlankText } from "./common.js";

export const createCubeRequest = z
  .object({
    cube_name: nonBlankText(256),
    owner_id: Id.describe("The acting user, who will own the cube"),
    cube_id: Id.optional().describe("Chosen id; a UUID is assigned when left out"),
  })
  .meta({ id: "CreateCubeRequest" });

export const Cube = z.object({ cube_id: z.string(), cube_name: z.string(), owner_id: z.string() });

export const existCubeRequest = z
  .object({ mem_cube_id: Id, user_id: Id.optional().describe("Not a MemOS field; the acting user when given (else the key's user or the cube's owner)") })
  .meta({ id: "ExistCubeRequest" });

export const shareCubeRequest = z
  .object({
    user_id: Id.describe("The cube's owner"),
    cube_id: Id,
    target_user_id: Id,
    access: z.enum(["read", "write", "none"]).describe("`none` revokes"),
  })
  .meta({ id: "ShareCubeRequest" });

export const deleteCubeRequest = z.object({ user_id: Id, cube_id: Id }).meta({ id: "DeleteCubeRequest" });

export const deleteUserRequest = z
  .object({ user_id: Id.describe("The user to erase: the acting user (an admin key may act for anyone)") })
  .meta({ id: "DeleteUserRequest" });

export const UserErasure = z
  .object({
    user_id: z.string(),
    user_deleted: z.boolean().describe("Whether the user was known (false: nothing was stored for them)"),
    cubes: z.number().int().describe("Cubes the user owned, removed with everything in them and their shares"),
    memories: z.number().int().describe("Memories removed (with earlier versions): in the user's cubes and written by them into others'"),
    messages: z.number().int().describe("Messages removed"),
    jobs: z.number().int().describe("Background jobs removed"),
    shares: z.number().int().describe("The user's access to cubes of others, revoked"),
  })
  .meta({ id: "UserErasure" });
