import { z } from "zod";
import type { Limits } from "../../config/index.js";
import type { MemoryContext } from "../../memory/context.js";
import { createCube, cubeExists, deleteCube, deleteUser, listCubes, registerCube, shareCube } from "../../memory/cubes.js";
import { readerOf } from "../acting-user.js";
import { invalidField } from "../api-error.js";
import { authorize } from "../auth/authorize.js";
import { Id } from "../schemas/common.js";
import type { App } from "../app-env.js";
import { postJson } from "../route.js";
import {
  Cube,
  ListedCube,
  RegisteredCube,
  UserErasure,
  createCubeRequest,
  deleteCubeRequest,
  deleteUserRequest,
  existCubeRequest,
  listCubesRequest,
  registerCubeRequest,
  shareCubeRequest,
} from "../schemas/cubes.js";

export function cubeRoutes(app: App, context: MemoryContext, limits: Limits): void {
  postJson(
    app,
    limits,
    {
      path: "/product/create_cube",
      actor: "owner_id",
      tag: "cubes",
      summary: "Create a memory cube",
      body: createCubeRequest,
      data: Cube,
      message: "Cube created successfully",
    },
    async (body) => {
      const cube = await createCube(context, { ownerId: body.owner_id, cubeName: body.cube_name, cubeId: body.cube_id });
      return { cube_id: cube.id, cube_name: cube.name, owner_id: cube.ownerId };
    },
  );

  postJson(
    app,
    limits,
    {
      path: "/product/exist_mem_cube_id",
      actor: "user_id",
      actorCube: (body) => body.mem_cube_id,
      readOnly: true,
      tag: "cubes",
      summary: "Whether a cube id is taken",
      body: existCubeRequest,
      data: z.record(z.string(), z.boolean()),
      message: "Successfully",
    },
    async (body) => ({ [body.mem_cube_id]: await cubeExists(context, body.mem_cube_id) }),
  );

  postJson(
    app,
    limits,
    {
      path: "/product/share_cube",
      actor: "user_id",
      tag: "cubes",
      summary: "Share a cube with another user for reading or writing, or revoke",
      body: shareCubeRequest,
      data: z.object({ cube_id: z.string(), target_user_id: z.string(), access: z.enum(["read", "write", "none"]) }),
      message: "Cube access updated",
    },
    async (body) => {
      await shareCube(context, { userId: body.user_id, cubeId: body.cube_id, targetUserId: body.target_user_id, access: body.access });
      return { cube_id: body.cube_id, target_user_id: body.target_user_id, access: body.access };
    },
  );

  postJson(
    app,
    limits,
    {
      path: "/product/delete_cube",
      actor: "user_id",
      tag: "cubes",
      summary: "Delete a cube and everything in it (owner only)",
      body: deleteCubeRequest,
      data: z.object({ cube_id: z.string(), deleted: z.literal(true) }),
      message: "Cube deleted successfully",
    },
    async (body) => {
      await deleteCube(context, body.user_id, body.cube_id);
      return { cube_id: body.cube_id, deleted: true as const };
    },
  );

  postJson(
    app,
    limits,
    {
      path: "/product/delete_user",
      actor: "user_id",
      tag: "users",
      summary: "Erase a user: every cube they own, what they wrote elsewhere, their jobs and shares",
      body: deleteUserRequest,
      data: UserErasure,
      message: "User deleted successfully",
    },
    async (body) => {
      const erased = await deleteUser(context, body.user_id);
      return {
        user_id: body.user_id,
        user_deleted: erased.user,
        cubes: erased.cubes,
        memories: erased.memories,
        messages: erased.messages,
        jobs: erased.jobs,
        shares: erased.shares,
      };
    },
  );

  postJson(
    app,
    limits,
    {
      path: "/product/register_cube",
      caller: "key", // user_id is optional: the acting user is resolved below, then authorized
      tag: "cubes",
      summary: "Record a cube by name or path (MemOS's register_cube; the path is never read)",
      body: registerCubeRequest,
      data: RegisteredCube,
      message: "Cube registration request validated (full registration pending architecture support)",
    },
    async (body, c) => {
      const named = Id.safeParse(body.mem_cube_id ?? body.mem_cube_name_or_path);
      if (!named.success) {
        throw invalidField(["mem_cube_id"], "required when mem_cube_name_or_path is not a cube id (1-128 letters, digits or _ - . : @)");
      }
      const cubeId = named.data;
      // As on every route: the body's user, else the key's, else (open mode) the cube's owner, and a new cube is its own default owner's.
      const ownerId = body.user_id ?? readerOf(c) ?? (await context.store.getCube(cubeId))?.ownerId ?? cubeId;
      authorize(c, ownerId);
      const cube = await registerCube(context, { ownerId, cubeId, name: body.mem_cube_name_or_path });
      return { cube_id: cube.id, cube_name_or_path: body.mem_cube_name_or_path };
    },
  );

  postJson(
    app,
    limits,
    {
      path: "/product/list_cubes",
      actor: "user_id",
      readOnly: true,
      tag: "cubes",
      summary: "The cubes the user owns or was given access to, with their access and memory counts (memcube's own)",
      body: listCubesRequest,
      data: z.array(ListedCube).describe("By cube id"),
      message: "Cubes listed successfully",
    },
    async (body) =>
      (await listCubes(context, body.user_id)).map(({ cube, access, memories }) => ({
        cube_id: cube.id,
        cube_name: cube.name,
        owner_id: cube.ownerId,
        access,
        memory_count: memories,
        created_at: cube.createdAt,
      })),
  );
}
