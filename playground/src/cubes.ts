/**
 * The cubes the page works with. The API has no "list my cubes" route, so the page remembers the
 * cubes the user added (per user, in localStorage: cube ids are not secret) and starts with the
 * user's default cube, whose id is the user id.
 */
import { useEffect, useState } from "preact/hooks";

export interface Cubes {
  known: string[];
  readable: string[];
  writable: string;
  toggleReadable(cube: string): void;
  setWritable(cube: string): void;
  add(cube: string): void;
  remove(cube: string): void;
}

const storageKey = (userId: string) => `memcube.playground.cubes.${userId}`;

function load(userId: string): string[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(storageKey(userId)) ?? "[]");
    const extra = Array.isArray(stored) ? stored.filter((cube): cube is string => typeof cube === "string") : [];
    return [...new Set([userId, ...extra])];
  } catch {
    return [userId];
  }
}

export function useCubes(userId: string): Cubes {
  const [known, setKnown] = useState(() => load(userId));
  const [readable, setReadable] = useState<string[]>([userId]);
  const [writable, setWritable] = useState(userId);

  useEffect(() => {
    setKnown(load(userId));
    setReadable([userId]);
    setWritable(userId);
  }, [userId]);

  const save = (cubes: string[]) => {
    setKnown(cubes);
    localStorage.setItem(storageKey(userId), JSON.stringify(cubes.filter((cube) => cube !== userId)));
  };

  return {
    known,
    readable,
    writable,
    toggleReadable: (cube) => setReadable((current) => (current.includes(cube) ? current.filter((c) => c !== cube) : [...current, cube])),
    setWritable,
    add: (cube) => {
      if (!known.includes(cube)) save([...known, cube]);
      setReadable((current) => (current.includes(cube) ? current : [...current, cube]));
    },
    remove: (cube) => {
      if (cube === userId) return;
      save(known.filter((c) => c !== cube));
      setReadable((current) => current.filter((c) => c !== cube));
      if (writable === cube) setWritable(userId);
    },
  };
}
