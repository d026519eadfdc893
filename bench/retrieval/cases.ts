/**
 * What the retrieval benchmark runs, whichever set it comes from: cubes to feed (one per
 * conversation) and questions to ask of them. The public set (written by someone who had not seen
 * the ranking code) and memcube's own older set both become these.
 */
import type { BenchSet } from "./dataset.js";
import { chatTimeOf } from "./dataset.js";
import { turnTime, type PublicSet } from "./public-format.js";

export interface FeedMessage {
  role: "user" | "assistant";
  content: string;
  chat_time: string;
  message_id: string;
}

/** One conversation: one user, one cube, its sessions added in order. */
export interface Feed {
  cube: string;
  sessions: { id: string; messages: FeedMessage[] }[];
}

export interface Case {
  id: string;
  /** Which set, e.g. "dev" or "own:tuning": figures are reported per set. */
  set: string;
  kind: string;
  language: string;
  cube: string;
  query: string;
  /** The message ids that answer it (all of them are needed); [] for a question nothing answers. */
  evidence: string[];
  /** Asked through chat too: whether the evidence reaches the prompt, and how much else does. */
  chat: boolean;
}

export interface Suite {
  feeds: Feed[];
  cases: Case[];
  /** Every message's text, by id (to look for evidence in a chat prompt). */
  textOf: Map<string, string>;
}

/** Public conversations get cubes of their own name space, apart from the older set's. */
const cubeOf = (setName: string, conversationId: string) => `${setName}-${conversationId}`;

export function publicSuite(set: PublicSet, setName: string): Suite {
  const feeds: Feed[] = set.conversations.map((conversation) => ({
    cube: cubeOf(setName, conversation.id),
    sessions: conversation.sessions.map((session) => ({
      id: `${setName}-${session.id}`,
      messages: session.turns.map((turn, index) => ({ role: turn.role, content: turn.text, chat_time: turnTime(session.date, index), message_id: turn.id })),
    })),
  }));
  const cases: Case[] = set.questions.map((question) => ({
    id: question.id,
    set: setName,
    kind: question.kind,
    language: question.language,
    cube: cubeOf(setName, question.conversation),
    query: question.question,
    evidence: question.evidence,
    chat: question.kind === "preference" || question.kind === "no-answer",
  }));
  const textOf = new Map(
    set.conversations.flatMap((conversation) => conversation.sessions.flatMap((session) => session.turns.map((turn) => [turn.id, turn.text] as const))),
  );
  return { feeds, cases, textOf };
}

/** memcube's own older set (written by its author, tuned on): reported beside the public one. */
export function ownSuite(set: BenchSet): Suite {
  const feeds: Feed[] = set.conversations.map((conversation) => ({
    cube: conversation.id,
    sessions: conversation.sessions.map((session) => ({
      id: session.id,
      messages: session.messages.map((message, index) => ({
        role: message.speaker === conversation.owner ? "user" : "assistant",
        content: message.text,
        chat_time: chatTimeOf(session.date, index),
        message_id: message.id,
      })),
    })),
  }));
  const cases: Case[] = set.questions.map((question) => ({
    id: question.id,
    set: `own:${question.part}`,
    kind: question.kind,
    language: question.kind === "chinese" ? "zh" : "en",
    cube: question.conversationId,
    query: question.query,
    evidence: question.evidence,
    chat: question.kind === "preference",
  }));
  const textOf = new Map(
    set.conversations.flatMap((conversation) =>
      conversation.sessions.flatMap((session) => session.messages.map((message) => [message.id, message.text] as const)),
    ),
  );
  return { feeds, cases, textOf };
}

export function joinSuites(suites: readonly Suite[]): Suite {
  return {
    feeds: suites.flatMap((suite) => suite.feeds),
    cases: suites.flatMap((suite) => suite.cases),
    textOf: new Map(suites.flatMap((suite) => [...suite.textOf])),
  };
}
