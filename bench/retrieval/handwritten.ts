/** Hand-written questions used for tuning (see handwritten-heldout.ts for the part never tuned on). */
import type { HandwrittenConversation } from "./handwritten-format.js";

export const TUNING_CONVERSATIONS: HandwrittenConversation[] = [
  {
    id: "hw-nora",
    owner: "Nora",
    other: "Sam",
    sessions: [
      {
        date: "2026-03-02",
        lines: [
          "A Sam! Guess who just signed up for an allotment plot behind the railway station.",
          "B No way. You, who killed a cactus?",
          "A The cactus was a tragedy, not a pattern. Plot 14, right next to the old water tower.",
          "B What are you going to grow?",
          "A Tomatoes, courgettes, and my grandfather's runner beans if the seeds still germinate.",
          "B My uncle Viktor grows award-winning leeks, I'll ask him for tips.",
        ],
      },
      {
        date: "2026-03-11",
        lines: [
          "B How is plot 14 doing?",
          "A Slugs. Hundreds of them. They ate every seedling in two nights.",
          "B Beer traps! Viktor swears by them.",
          "A Also, small thing: I'm allergic to wasp stings, the proper EpiPen kind, so the compost bin scares me a bit.",
          "B Keep the pen in your bag then, seriously.",
        ],
      },
      {
        date: "2026-04-06",
        lines: [
          "A The beans came up! All twelve of grandpa's seeds.",
          "B That's amazing, after how many years in the drawer?",
          "A Nineteen. I almost cried.",
          "B I have news too: I'm leaving the bakery, I got a place on the nursing course in Leeds.",
          "A Sam!! When do you start?",
          "B September. I'll be living with my cousin Abi until I find a room.",
        ],
      },
      {
        date: "2026-05-20",
        lines: [
          "A We harvested the first courgettes today, there are far too many.",
          "B Bring some round, I'll make fritters.",
          "A Deal. Oh and the committee asked me to run the summer open day on the 14th of June.",
          "B Look at you, allotment royalty.",
        ],
      },
    ],
    questions: [
      ["single", "Which plot number does Nora have at the allotment?", ["1.3"]],
      ["single", "Who could give Nora advice on growing vegetables?", ["1.6"]],
      ["when", "When did Nora's grandfather's beans come up?", ["3.1"]],
      ["single", "What problem did Nora have with her seedlings?", ["2.2"]],
      ["multi", "What is Sam going to study, and where will Sam live at first?", ["3.4", "3.6"]],
      ["preference", "I'm going to clear the brambles and the old compost heap this weekend, anything I should bring?", ["2.4"]],
      ["when", "When did Nora harvest the first courgettes?", ["4.1"]],
      ["single", "What event is Nora organising at the allotment?", ["4.3"]],
    ],
  },
  {
    id: "hw-dev",
    owner: "Dev",
    other: "Marta",
    sessions: [
      {
        date: "2026-01-15",
        lines: [
          "B Did you decide about the Tokyo trip?",
          "A Booked it. Ten days in April, cherry blossom season, Tokyo and then Kyoto.",
          "B Jealous. Are you taking Rina?",
          "A She can't get the time off, so it's a solo trip. I'm a bit nervous, I don't speak a word of Japanese.",
          "B Download the offline translator, it saved me in Seoul.",
        ],
      },
      {
        date: "2026-01-29",
        lines: [
          "A I've started Japanese lessons on Tuesday nights, the teacher is called Mr. Sato.",
          "B Say something!",
          "A Sumimasen, that's about it so far.",
          "A By the way, I'm a terrible sleeper on planes, I need an aisle seat so I can walk around.",
          "B Noted, Mr. Aisle.",
        ],
      },
      {
        date: "2026-02-18",
        lines: [
          "B How's the trip planning going?",
          "A Found a ryokan in Kyoto with a private onsen, expensive but once in a lifetime.",
          "B And in Tokyo?",
          "A A tiny capsule-style hotel in Shinjuku for the first four nights.",
          "B Rina called me, she's worried you'll eat nothing but ramen.",
          "A She's not wrong.",
        ],
      },
      {
        date: "2026-05-03",
        lines: [
          "A I'm back! Jet lag is brutal.",
          "B Tell me everything. Best moment?",
          "A Fushimi Inari at six in the morning, nobody there, just the gates.",
          "B And the worst?",
          "A I lost my passport in Osaka for a day. A taxi driver found it and brought it to the hotel.",
        ],
      },
    ],
    questions: [
      ["single", "Where did Dev stay in Kyoto?", ["3.2"]],
      ["multi", "Where did Dev stay during the Japan trip?", ["3.2", "3.4"]],
      ["single", "Who teaches Dev Japanese?", ["2.1"]],
      ["preference", "Can you help me pick seats for my long-haul flight?", ["2.4"]],
      ["single", "Why didn't Rina go to Japan with Dev?", ["1.4"]],
      ["single", "What was the best moment of Dev's trip?", ["4.3"]],
      ["when", "When did Dev get back from Japan?", ["4.1"]],
      ["single", "What happened to Dev's passport?", ["4.5"]],
    ],
  },
  {
    id: "hw-ayla",
    owner: "Ayla",
    other: "Ben",
    sessions: [
      {
        date: "2026-06-01",
        lines: [
          "B So is it official? Are you two moving in together?",
          "A Yes! Karim and I signed the lease on a two-bedroom in Clifton yesterday.",
          "B Two bedrooms, planning ahead?",
          "A The second one is my studio. I finally have space for the loom.",
        ],
      },
      {
        date: "2026-06-12",
        lines: [
          "A Moving day was a disaster. The van broke down on the bridge.",
          "B Oh no. How long were you stuck?",
          "A Three hours. Karim's brother Idris came with his pickup and saved us.",
          "B Legend.",
          "A Also we found out the landlord doesn't allow dogs, so the puppy plan is on hold.",
        ],
      },
      {
        date: "2026-07-08",
        lines: [
          "B Are you still doing the weaving markets?",
          "A Every first Saturday at the Corn Exchange. I sold six scarves last time.",
          "B That's brilliant. Do you take commissions?",
          "A I do. Just please no wool for you, I remember your rash.",
          "B Ha, yes, wool and I are enemies. Cotton only.",
        ],
      },
      {
        date: "2026-08-19",
        lines: [
          "A I'm completely off caffeine now, my heart was doing weird things.",
          "B Since when?",
          "A Three weeks. The headaches are finally gone.",
          "B I'll stop offering you espressos then.",
        ],
      },
    ],
    questions: [
      ["single", "Which neighbourhood did Ayla and Karim move to?", ["1.2"]],
      ["single", "What is the second bedroom used for?", ["1.4"]],
      ["when", "When did Ayla and Karim sign the lease?", ["1.2"]],
      ["single", "Who helped Ayla when the moving van broke down?", ["2.3"]],
      ["single", "Why can't Ayla get a puppy yet?", ["2.5"]],
      ["single", "Where does Ayla sell her scarves?", ["3.2"]],
      ["preference", "I want to knit Ben a present for his birthday, what yarn should I buy?", ["3.5"]],
      ["preference", "Let's meet somewhere this afternoon, what should I order for myself?", ["4.1"]],
    ],
  },
  {
    id: "hw-luis",
    owner: "Luis",
    other: "Grace",
    sessions: [
      {
        date: "2026-02-03",
        lines: [
          "A Coach Ferreira picked me as captain of the Sunday five-a-side team.",
          "B Captain Luis! Does that mean you bring the oranges?",
          "A It means I chase people for the pitch money.",
          "B What's the team called again?",
          "A The Dynamos. Terrible name, nobody remembers who chose it.",
        ],
      },
      {
        date: "2026-02-24",
        lines: [
          "A I twisted my ankle on Sunday, I'm on crutches for two weeks.",
          "B Ouch. Who's captain while you're out?",
          "A Pedro. He'll love the power.",
          "B How did it happen?",
          "A Stepped in a pothole chasing a long ball. Glamorous.",
        ],
      },
      {
        date: "2026-03-30",
        lines: [
          "B Is the ankle better?",
          "A Back playing since last week. We won 7 to 2!",
          "B Go Dynamos.",
          "A My daughter Sofía wants to join a girls' team now, she's eight.",
          "B The club at Marsh Lane has an under-9s squad, my niece plays there.",
        ],
      },
      {
        date: "2026-04-21",
        lines: [
          "A Sofía had her first training at Marsh Lane, she scored in the practice game.",
          "B Proud dad moment!",
          "A One thing: she's coeliac, so I have to pack her own snacks for the away games, no bread or biscuits from the club.",
          "B Good to know, I'll tell my sister for the team picnic.",
        ],
      },
    ],
    questions: [
      ["single", "What is the name of Luis's football team?", ["1.5"]],
      ["single", "Who made Luis captain?", ["1.1"]],
      ["when", "When did Luis twist his ankle?", ["2.1"]],
      ["single", "Who replaced Luis as captain while he was injured?", ["2.3"]],
      ["single", "What was the score of the Dynamos' game after Luis came back?", ["3.2"]],
      ["multi", "Which club does Sofía play for, and who recommended it?", ["4.1", "3.5"]],
      ["preference", "What should I bake for the team picnic so Sofía can eat it too?", ["4.3"]],
    ],
  },
  {
    id: "hw-mei",
    owner: "Mei",
    other: "Jakob",
    sessions: [
      {
        date: "2026-09-05",
        lines: [
          "B Welcome back! How was the conference in Vienna?",
          "A Exhausting. My talk on bird migration got moved to the last slot of the last day.",
          "B Did anyone come?",
          "A Forty people, actually! A professor from Uppsala asked me to apply for a postdoc.",
        ],
      },
      {
        date: "2026-09-22",
        lines: [
          "A I sent the Uppsala application off today.",
          "B Fingers crossed. Would you really move to Sweden?",
          "A For this project, yes. Tracking cranes with tiny GPS tags.",
          "B What does your mum say?",
          "A She says Sweden is too cold and I should marry a dentist.",
        ],
      },
      {
        date: "2026-10-30",
        lines: [
          "A I got it!! The postdoc in Uppsala, starting in January.",
          "B MEI! Congratulations!",
          "A I need to find a flat. Please no basement ones, I need daylight or I get really low in winter.",
          "B Sweden in winter... you'll need a lamp anyway.",
        ],
      },
    ],
    questions: [
      ["single", "What was Mei's conference talk about?", ["1.2"]],
      ["single", "Who asked Mei to apply for the postdoc?", ["1.4"]],
      ["when", "When did Mei send her application to Uppsala?", ["2.1"]],
      ["single", "What will Mei's research project track?", ["2.3"]],
      ["when", "When did Mei find out she got the postdoc?", ["3.1"]],
      ["preference", "I'm looking at apartments in Uppsala, which ones should I skip?", ["3.3"]],
      ["multi", "Where did Mei present her talk and where will she do her postdoc?", ["1.1", "3.1"]],
    ],
  },
  {
    id: "hw-zh-tuning",
    owner: "晓雯",
    other: "浩然",
    chinese: true,
    sessions: [
      {
        date: "2026-04-10",
        lines: [
          "B 听说你换工作了？",
          "A 对，我下周一开始去一家做新能源汽车的公司上班，做产品经理。",
          "B 太好了，公司在哪儿？",
          "A 在张江，通勤要一个小时，有点远。",
        ],
      },
      {
        date: "2026-05-02",
        lines: [
          "A 五一我们全家去了黄山，爬到山顶看了日出。",
          "B 累不累？",
          "A 腿疼了三天。我儿子倒是一点事都没有。",
          "B 你儿子今年几岁了？",
          "A 九岁，刚学会游泳。",
        ],
      },
      {
        date: "2026-06-15",
        lines: ["A 我最近开始吃素了，一个月没碰肉。", "B 真的假的？为什么？", "A 体检说血脂有点高，干脆试试。"],
      },
    ],
    questions: [
      ["chinese", "晓雯的新工作是什么职位？", ["1.2"]],
      ["chinese", "晓雯的公司在哪里？", ["1.4"]],
      ["chinese", "晓雯五一去了哪里玩？", ["2.1"]],
      ["chinese", "晓雯的儿子几岁了？", ["2.5"]],
      ["chinese", "晓雯为什么开始吃素？", ["3.3"]],
      ["chinese", "周末聚餐给晓雯点什么菜？", ["3.1"]],
    ],
  },
];
