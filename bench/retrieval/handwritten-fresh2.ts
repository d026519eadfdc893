/**
 * A third set, meant to be held out: written just before the constraint cues were widened after
 * the first fresh set showed them too narrow, but in the same sitting, so its texts were in mind
 * while the new cue patterns were written. Its figures are NOT evidence that the cues generalise.
 */
import type { HandwrittenConversation } from "./handwritten-format.js";

export const FRESH2_CONVERSATIONS: HandwrittenConversation[] = [
  {
    id: "hw-fresh2-bea",
    owner: "Bea",
    other: "Hugo",
    sessions: [
      {
        date: "2026-02-14",
        lines: [
          "B Happy Valentine's! Any plans?",
          "A Quiet dinner at home. Since the pregnancy I get tired by eight anyway.",
          "B Wait, what?! Congratulations!",
          "A Thank you! Due in August. Raw fish and soft cheese are off the menu for a while, sadly.",
        ],
      },
      {
        date: "2026-03-09",
        lines: [
          "A The midwife is called Ingrid, she's very calm, I love her.",
          "B Have you told your parents yet?",
          "A Yes, mum cried for an hour.",
          "A We also sold the car, we only cycle now. Parking in the city was costing us a fortune.",
        ],
      },
      {
        date: "2026-04-02",
        lines: [
          "B Are you still doing the choir on Mondays?",
          "A Paused it. My asthma flares up with all the pollen this spring.",
          "B Poor you. Inhaler in every bag?",
          "A Every single one.",
        ],
      },
    ],
    questions: [
      ["preference", "Can you suggest a sushi place for our anniversary dinner?", ["1.4"]],
      ["preference", "Which day trip outside the city would be easy for us to get to?", ["2.4"]],
      ["preference", "Should I join Hugo's hiking trip through the meadows in May?", ["3.2"]],
      ["single", "What is the name of Bea's midwife?", ["2.1"]],
      ["when", "When did Bea tell Hugo about the pregnancy?", ["1.4"]],
    ],
  },
  {
    id: "hw-fresh2-sami",
    owner: "Sami",
    other: "Ola",
    sessions: [
      {
        date: "2026-10-01",
        lines: [
          "B Are you settled in the new flat?",
          "A Mostly. It's a fourth-floor walk-up though, and with my bad hip the stairs are a daily battle.",
          "B Oof. Any neighbours worth knowing?",
          "A An old man called Bertil who plays the accordion at 7 am.",
        ],
      },
      {
        date: "2026-10-18",
        lines: [
          "A I've gone fully plant-based, by the way. Three weeks now.",
          "B How is that going?",
          "A Surprisingly fine. Lentils are my new best friend.",
          "B Are you still in the running club?",
          "A No, with the hip it's swimming only.",
        ],
      },
      {
        date: "2026-11-05",
        lines: [
          "A My nephew Kalle starts at the art academy in Bergen next year!",
          "B Tell him congratulations from me.",
          "A Also, I'm terrible with loud places, crowded bars give me a headache within minutes.",
        ],
      },
    ],
    questions: [
      ["preference", "What should I cook when Ola comes over on Friday?", ["2.1"]],
      ["preference", "Where should we meet for Ola's birthday drinks?", ["3.3"]],
      ["preference", "Which sport should I try this winter?", ["1.2"]],
      ["single", "Who is Sami's noisy neighbour?", ["1.4"]],
      ["single", "Where will Sami's nephew study?", ["3.1"]],
    ],
  },
];
