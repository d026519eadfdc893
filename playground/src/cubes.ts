/**
 * The cubes the page works with: the user's own and shared cubes from `POST /product/list_cubes`
 * (with their access and memory counts), the user's default cube (id = user id, which exists once
 * something is written to it), and cubes added by hand (per user, in localStorage: ids are not secret).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "./api";
import type { CubeListing } from "./wire";

export interface Cubes {
  known: string[];
  /** What the server says of each cube it lists (a cube not listed does not exist yet, or is not readable). */
  listed: CubeListing[];
  readable: string[];
  writable: string;
  toggleReadable: (cube: string) => void;
  setWritable: (cube: string) => void;
  add: (cube: string) => void;
  remove: (cube: string) => void;
  /** Asks the server again (after a write, a share, an import). */
  reload: () => void;
}

const storageKey = (userId: string) => `memcube.playground.cubes.${userId}`;

function stored(userId: string): string[] {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(storageKey(userId)) ?? "[]");
    return Array.isArray(value) ? value.filter((cube): cube is string => typeof cube === "string") : [];
  } catch {
    return [];
  }
}

export function useCubes(userId: string): Cubes {
  const [extra, setExtra] = useState(() => stored(userId));
  const [listing, setListing] = useState<{ user: string; cubes: CubeListing[] }>({ user: userId, cubes: [] });
  const [readable, setReadable] = useState<string[]>([userId]);
  const [writable, setWritable] = useState(userId);
  const latest = useRef(0);
  // A listing of the previous user is never shown for this one.
  const listed = listing.user === userId ? listing.cubes : [];

  const reload = () => {
    const ticket = ++latest.current;
    api.listCubes(userId).then(
      (cubes) => ticket === latest.current && setListing({ user: userId, cubes }),
      // Without the list (an old server, a refused key) the page still works with the cubes it knows.
      () => ticket === latest.current && setListing({ user: userId, cubes: [] }),
    );
  };

  useEffect(() => {
    setExtra(stored(userId));
    setReadable([userId]);
    setWritable(userId);
    if (userId) reload();
  }, [userId]);

  const known = [...new Set([userId, ...listed.map((cube) => cube.cube_id), ...extra])];
  const save = (cubes: string[]) => {
    setExtra(cubes);
    localStorage.setItem(storageKey(userId), JSON.stringify(cubes));
  };

  return {
    known,
    listed,
    readable,
    writable,
    toggleReadable: (cube) => setReadable((current) => (current.includes(cube) ? current.filter((c) => c !== cube) : [...current, cube])),
    setWritable,
    add: (cube) => {
      if (!extra.includes(cube)) save([...extra, cube]);
      setReadable((current) => (current.includes(cube) ? current : [...current, cube]));
      reload();
    },
    remove: (cube) => {
      if (cube === userId) return;
      save(extra.filter((c) => c !== cube));
      setReadable((current) => current.filter((c) => c !== cube));
      if (writable === cube) setWritable(userId);
    },
    reload,
  };
}
