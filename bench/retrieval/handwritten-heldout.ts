/**
 * The held-out hand-written questions: never used to choose or tune a ranking feature, only to
 * check that what the tuning part liked does not hurt elsewhere. Do not tune on these.
 */
import type { HandwrittenConversation } from "./handwritten-format.js";

export const HELDOUT_CONVERSATIONS: HandwrittenConversation[] = [
  {
    id: "hw-ruth",
    owner: "Ruth",
    other: "Kofi",
    sessions: [
      {
        date: "2026-02-09",
        lines: [
          "B Did the choir audition go ok?",
          "A I got in! Second alto in the Saint Cecilia Choir.",
          "B Brilliant. When are rehearsals?",
          "A Wednesdays at half seven in the church hall on Gower Street.",
          "A First concert is the Fauré Requiem in May.",
        ],
      },
      {
        date: "2026-03-04",
        lines: [
          "A My landlord finally fixed the boiler after five weeks.",
          "B Five weeks without hot water? I'd have moved out.",
          "A I nearly did. I was showering at the leisure centre.",
          "B Speaking of which, do you still swim?",
          "A Every morning before work, thirty lengths.",
        ],
      },
      {
        date: "2026-04-14",
        lines: [
          "B My mum is visiting from Accra next week, she wants to meet you.",
          "A I'd love that! Shall I cook?",
          "B She doesn't eat pork, and she finds anything too sweet a bit much.",
          "A Noted. I'll think of something.",
          "A Also, small confession, I can't do late nights anymore, I'm asleep by ten or I'm useless.",
        ],
      },
      {
        date: "2026-05-17",
        lines: [
          "A The concert was last night, we sold out the whole church.",
          "B I'm so sorry I missed it, the flight was delayed.",
          "A There's a recording, I'll send you the link.",
        ],
      },
    ],
    questions: [
      ["single", "Which choir did Ruth join?", ["1.2"]],
      ["single", "Where does Ruth's choir rehearse?", ["1.4"]],
      ["single", "What will the choir sing at its first concert?", ["1.5"]],
      ["single", "How long was Ruth without hot water?", ["2.1"]],
      ["single", "What does Ruth do every morning before work?", ["2.5"]],
      ["preference", "What dish should I make for Kofi's mother's visit?", ["3.3"]],
      ["preference", "Kofi wants to go to a midnight jazz show on Friday, should I go?", ["3.5"]],
      ["when", "When was Ruth's first choir concert?", ["4.1"]],
    ],
  },
  {
    id: "hw-ivan",
    owner: "Ivan",
    other: "Lucia",
    sessions: [
      {
        date: "2026-07-02",
        lines: [
          "A I quit the agency. Starting my own design studio with Petra.",
          "B Scary and exciting! What's it called?",
          "A Foldline Studio. We already have one client, a brewery in Ghent.",
        ],
      },
      {
        date: "2026-07-25",
        lines: [
          "B How's the studio life?",
          "A We rented a desk in a co-working space by the canal, the Wharf Works building.",
          "B Nice, is it noisy?",
          "A Very. I've ordered noise-cancelling headphones.",
          "A The brewery loved the labels, they want the whole rebrand now.",
        ],
      },
      {
        date: "2026-08-30",
        lines: [
          "B Want to come climbing with us on Sunday?",
          "A I'd better not, I'm scared of heights, even the ladder at home makes me dizzy.",
          "B Fair. Bowling instead?",
          "A Bowling I can do.",
        ],
      },
      {
        date: "2026-09-14",
        lines: ["A Petra and I hired our first employee today, a junior illustrator called Noor.", "B You're a real company now!", "A Payroll is terrifying."],
      },
    ],
    questions: [
      ["single", "What is the name of Ivan's design studio?", ["1.3"]],
      ["single", "Who did Ivan start his business with?", ["1.1"]],
      ["single", "Where does Ivan's studio work from?", ["2.2"]],
      ["multi", "Who was Foldline Studio's first client and what did they ask for after the labels?", ["1.3", "2.5"]],
      ["preference", "Lucia suggests a hot-air balloon ride for my birthday, is that a good idea?", ["3.2"]],
      ["when", "When did Ivan hire his first employee?", ["4.1"]],
      ["single", "What is the name of the studio's first employee?", ["4.1"]],
    ],
  },
  {
    id: "hw-zh-heldout",
    owner: "佳怡",
    other: "子轩",
    chinese: true,
    sessions: [
      {
        date: "2026-03-08",
        lines: ["A 我报名参加了十月的杭州马拉松，全程的。", "B 厉害！你以前跑过吗？", "A 跑过两次半马，这是第一次全马。"],
      },
      {
        date: "2026-04-19",
        lines: ["B 你上次说要养狗，养了吗？", "A 养了一只柯基，叫土豆，三个月大。", "B 好可爱，发照片！"],
      },
      {
        date: "2026-05-30",
        lines: ["A 我不吃香菜，一点都不行，闻到就想吐。", "B 哈哈，那你去吃越南粉怎么办？", "A 每次都要提前跟老板说。", "A 对了，我下个月去青岛出差一周。"],
      },
    ],
    questions: [
      ["chinese", "佳怡报名了哪个马拉松？", ["1.1"]],
      ["chinese", "佳怡的狗叫什么名字？", ["2.2"]],
      ["chinese", "佳怡养的是什么品种的狗？", ["2.2"]],
      ["chinese", "给佳怡点外卖要注意什么？", ["3.1"]],
      ["chinese", "佳怡下个月去哪里出差？", ["3.4"]],
      ["chinese", "佳怡以前跑过几次半马？", ["1.3"]],
    ],
  },
];
