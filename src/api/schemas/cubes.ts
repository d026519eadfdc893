import { z } from "zod";
import { Id, actingUserId, nonBlankText } from "./common.js";

export const createCubeRequest = z
  .object({
    cube_name: nonBlankText(256),
    owner_id: actingUserId("The acting user, who will own the cube"),
    cube_id: Id.optional().describe("Chosen id; a UUID is assigned when left out"),
  })
  .meta({ id: "CreateCubeRequest" });

export const Cube = z.object({ cube_id: z.string(), cube_name: z.string(), owner_id: z.string() });

export const existCubeRequest = z
  .object({ mem_cube_id: Id, user_id: Id.optional().describe("Not a MemOS field; the acting user when given (else the key's user or the cube's owner)") })
  .meta({ id: "ExistCubeRequest" });

export const shareCubeRequest = z
  .object({
    user_id: actingUserId("The cube's owner"),
    cube_id: Id,
    target_user_id: Id,
    access: z.enum(["read", "write", "none"]).describe("`none` revokes"),
  })
  .meta({ id: "ShareCubeRequest" });

export const deleteCubeRequest = z.object({ user_id: actingUserId("The cube's owner"), cube_id: Id }).meta({ id: "DeleteCubeRequest" });

export const deleteUserRequest = z
  .object({ user_id: Id.describe("The user to erase: the acting user (an admin key may act for anyone); always named, never defaulted from the key") })
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

export const registerCubeRequest = z
  .object({
    mem_cube_name_or_path: nonBlankText(1024).describe("The cube's name or path: recorded as its name, never read from disk"),
    mem_cube_id: Id.optional().describe("The cube's id; default: mem_cube_name_or_path (which must then be a valid id)"),
    user_id: Id.optional().describe("The owner; default: the API key's user, else (open mode) the cube's owner, or for a new cube its own id"),
  })
  .meta({ id: "RegisterCubeRequest" });

export const RegisteredCube = z.object({ cube_id: z.string(), cube_name_or_path: z.string() }).meta({ id: "RegisteredCube" });

export const listCubesRequest = z.object({ user_id: actingUserId("The acting user, whose cubes are listed") }).meta({ id: "ListCubesRequest" });

export const ListedCube = z
  .object({
    cube_id: z.string(),
    cube_name: z.string(),
    owner_id: z.string(),
    access: z.enum(["owner", "write", "read"]).describe("What the user may do with it: owner (read, write, share, delete), write, or read"),
    memory_count: z.number().int().describe("Active memories in the cube"),
    created_at: z.string(),
  })
  .meta({ id: "ListedCube" });
