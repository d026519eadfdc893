/**
 * A second held-out set, written after the ranking code was frozen (commit bd34f70): the first
 * held-out texts were in view while the constraint cues were written, so they may flatter them.
 * These were not. Never tune on them.
 */
import type { HandwrittenConversation } from "./handwritten-format.js";

export const FRESH_CONVERSATIONS: HandwrittenConversation[] = [
  {
    id: "hw-fresh-amara",
    owner: "Amara",
    other: "Joel",
    sessions: [
      {
        date: "2026-05-04",
        lines: [
          "B How was the first week at the hospital?",
          "A Long. I'm on night shifts until August, so I sleep from nine in the morning to about four.",
          "B Ouch. Do you at least get weekends?",
          "A Every other one. Also the ward manager, Corinne, is lovely, she brought pastries on Friday.",
        ],
      },
      {
        date: "2026-05-19",
        lines: [
          "A Went to the doctor about the sweating and the tiredness.",
          "B And?",
          "A Type 2 diabetes. So sugar is basically rationed for me from now on.",
          "B I'm sorry, that's a lot. Tell me if you need anything.",
          "A Thanks. The nurse gave me a little glucose meter, I named it Gary.",
        ],
      },
      {
        date: "2026-06-07",
        lines: [
          "B Are you coming to the festival with us in July?",
          "A Maybe for the afternoon. Strobe lights give me migraines, so no night stage for me.",
          "B We'll find you a quiet field then.",
          "A Perfect. And my cousin Dele is getting married in Lagos in October, I booked the flights today.",
        ],
      },
      {
        date: "2026-06-25",
        lines: [
          "A We're finally saving for a flat, so money's tight until at least Christmas.",
          "B Same here honestly.",
          "A I sold my old bike to Corinne's son for 120.",
        ],
      },
    ],
    questions: [
      ["preference", "When would be a good time for our weekly video call?", ["1.2"]],
      ["preference", "What dessert should we order for the team farewell dinner?", ["2.3"]],
      ["preference", "Should we get tickets for the laser show on Saturday night?", ["3.2"]],
      ["preference", "Where should we go for my birthday weekend?", ["4.1"]],
      ["single", "What did Amara name her glucose meter?", ["2.5"]],
      ["single", "Who is Amara's ward manager?", ["1.4"]],
      ["when", "When did Amara book the flights to Lagos?", ["3.4"]],
      ["single", "Who bought Amara's old bike?", ["4.3"]],
    ],
  },
  {
    id: "hw-fresh-tomas",
    owner: "Tomás",
    other: "Wen",
    sessions: [
      {
        date: "2026-08-03",
        lines: [
          "A Our Leo started using a wheelchair after the operation, probably for the rest of the year.",
          "B How is he taking it?",
          "A Better than us. He races the neighbour's kid down the ramp at the library.",
        ],
      },
      {
        date: "2026-08-21",
        lines: [
          "B Did you pick a school for Leo in the end?",
          "A Greenhill Primary. They have a lift and a teaching assistant just for his class.",
          "A Oh and I've stopped eating gluten, doctor's orders, my gut was a mess.",
        ],
      },
      {
        date: "2026-09-12",
        lines: [
          "B Want to join our book club? We meet at Wen's Café.",
          "A Only if the book isn't longer than 300 pages, I have no time.",
          "A Leo got his first swimming badge this morning!",
        ],
      },
    ],
    questions: [
      ["preference", "Which holiday cottage should we book for the half-term break?", ["1.1"]],
      ["preference", "What should I bake for the school bake sale?", ["2.3"]],
      ["single", "Which school will Leo go to?", ["2.2"]],
      ["when", "When did Leo get his first swimming badge?", ["3.3"]],
      ["single", "Where does Wen's book club meet?", ["3.1"]],
    ],
  },
];
