/**
 * Templated facts for the generated part of the benchmark. Each fact is said by one speaker (S),
 * sometimes prompted by the other (O); the lines flagged `evidence` hold the answer.
 */
import type { Dice, QuestionKind } from "./dataset.js";

export interface FactLine {
  by: "S" | "O";
  text: string;
  evidence?: true;
}

export interface Fact {
  kind: QuestionKind;
  /** One part per session (a multi-session fact has two, placed in different sessions, in order). */
  parts: FactLine[][];
  query: string;
}

/** S: who states the fact, O: the other person; owner: whether S owns the cube (first-person questions). */
export type FactTemplate = (dice: Dice, s: string, o: string) => Fact;

const COMPANIES = [
  "Northwind Logistics",
  "Brightpath Health",
  "Kestrel Robotics",
  "Bluefin Analytics",
  "Harbor & Pine Architects",
  "Solstice Energy",
  "Quillworks Publishing",
  "Maplestone Bank",
];
const JOBS = ["data engineer", "project manager", "UX researcher", "site supervisor", "payroll specialist", "product designer", "staff nurse", "sales lead"];
const PET_KINDS = ["cat", "dog", "rabbit", "parrot"];
const PET_NAMES = ["Biscuit", "Pickle", "Juniper", "Mochi", "Pepper", "Waffles", "Clementine", "Ziggy"];
const CITIES = ["Lisbon", "Rotterdam", "Valencia", "Krakow", "Edinburgh", "Montreal", "Porto", "Gothenburg", "Bologna", "Ljubljana", "Tallinn", "Seville"];
const SIBLINGS = ["brother", "sister", "cousin"];
const SIB_NAMES = ["Felix", "Rosa", "Anton", "Leila", "Bruno", "Greta", "Tariq", "Ivy"];
const HOBBIES = ["pottery", "salsa dancing", "woodworking", "watercolour painting", "bouldering", "Italian", "sign language", "jazz piano"];
const CARS = ["Skoda Octavia estate", "Toyota Yaris hybrid", "Volvo V60", "Mazda 3", "Renault Zoe", "Honda Jazz"];
const BOOKS = ["The Remains of the Day", "Piranesi", "Station Eleven", "The Overstory", "A Gentleman in Moscow", "Klara and the Sun"];
const BOAT_NAMES = ["Marigold", "Second Wind", "Little Heron", "Blue Maud", "Saltbox"];
const AREAS = ["Westbrook", "the old harbour district", "Elm Park", "Kingsmoor", "Riverside Heights"];
const FOODS = ["red meat", "cheese", "fried food", "sugar"];
const TILE_COLOURS = ["sage green", "terracotta", "navy blue", "white hexagon", "black slate"];
const ROOMS = ["bathroom", "kitchen", "attic", "laundry room"];
const CLIENTS = ["Orion", "Tesseract", "Halcyon", "Bramble"];
const COACHES = ["Dmitri", "Auntie June", "Coach Alvarez", "Mr. Okafor"];
const INSTRUMENTS = ["cello", "ukulele", "trumpet", "drums"];

export const SINGLE_FACTS: FactTemplate[] = [
  (dice, s) => {
    const company = dice.pick(COMPANIES);
    const job = dice.pick(JOBS);
    return {
      kind: "single",
      parts: [
        [
          { by: "S", text: `Big news, I accepted the offer from ${company}! I start as a ${job} in three weeks.`, evidence: true },
          { by: "O", text: "Congratulations, that's huge! You deserve it." },
        ],
      ],
      query: dice.pick([`Where is ${s} going to work?`, `Which company hired ${s}?`, `What job did ${s} accept?`, `What is ${s}'s new position?`]),
    };
  },
  (dice, s) => {
    const kind = dice.pick(PET_KINDS);
    const name = dice.pick(PET_NAMES);
    return {
      kind: "single",
      parts: [
        [
          { by: "O", text: "How is the new family member settling in?" },
          { by: "S", text: `We adopted a ${kind} from the shelter, the kids named her ${name}. She already owns the sofa.`, evidence: true },
        ],
      ],
      query: dice.pick([`What is the name of ${s}'s ${kind}?`, `What did ${s}'s kids call the ${kind} they adopted?`]),
    };
  },
  (dice, s) => {
    const sibling = dice.pick(SIBLINGS);
    const name = dice.pick(SIB_NAMES);
    const city = dice.pick(CITIES);
    return {
      kind: "single",
      parts: [[{ by: "S", text: `My ${sibling} ${name} finally moved to ${city}, found a flat near the harbour and loves it.`, evidence: true }]],
      query: dice.pick([`Where does ${s}'s ${sibling} live now?`, `Which city did ${name} move to?`]),
    };
  },
  (dice, s) => {
    const hobby = dice.pick(HOBBIES);
    return {
      kind: "single",
      parts: [
        [
          { by: "O", text: `So what are you doing with your Thursday evenings now, ${s}?` },
          { by: "S", text: `I signed up for ${hobby} classes at the community centre. First lesson was a disaster but fun.`, evidence: true },
        ],
      ],
      query: dice.pick([
        `What classes is ${s} taking?`,
        `What did ${s} sign up for on Thursday evenings?`,
        `Which hobby did ${s} start at the community centre?`,
      ]),
    };
  },
  (dice, s) => {
    const car = dice.pick(CARS);
    return {
      kind: "single",
      parts: [[{ by: "S", text: `The old car finally died on the motorway, so I bought a used ${car}. Only 40,000 km on it.`, evidence: true }]],
      query: dice.pick([`What car did ${s} buy?`, `What does ${s} drive now?`, `What vehicle did ${s} get after the breakdown?`]),
    };
  },
  (dice, s) => {
    const book = dice.pick(BOOKS);
    return {
      kind: "single",
      parts: [
        [
          { by: "O", text: "Reading anything good lately?" },
          { by: "S", text: `${book}. I'm halfway through and I keep staying up too late with it.`, evidence: true },
        ],
      ],
      query: dice.pick([`What book was ${s} reading?`, `Which novel kept ${s} up at night?`]),
    };
  },
  (dice, s) => {
    const boat = dice.pick(BOAT_NAMES);
    return {
      kind: "single",
      parts: [
        [
          { by: "O", text: `Did you ever pick a name for the sailing boat, ${s}?` },
          { by: "S", text: `${boat}, after my grandmother's favourite song.`, evidence: true },
        ],
      ],
      query: dice.pick([`What did ${s} name the boat?`, `What is ${s}'s sailing boat called?`]),
    };
  },
  (dice, s) => {
    const area = dice.pick(AREAS);
    return {
      kind: "single",
      parts: [
        [
          { by: "O", text: "How did the move go? Where did you end up in the end?" },
          { by: "S", text: `${area}, top floor with a balcony. Worth every box we carried.`, evidence: true },
        ],
      ],
      query: dice.pick([`Which neighbourhood did ${s} move to?`, `Where is ${s}'s new flat?`]),
    };
  },
  (dice, s) => {
    const food = dice.pick(FOODS);
    return {
      kind: "single",
      parts: [[{ by: "S", text: `The doctor says I have to cut out ${food}, my cholesterol numbers came back too high.`, evidence: true }]],
      query: dice.pick([`What did ${s}'s doctor tell them to avoid?`, `What food does ${s} have to give up?`]),
    };
  },
  (dice, s) => {
    const instrument = dice.pick(INSTRUMENTS);
    const coach = dice.pick(COACHES);
    return {
      kind: "single",
      parts: [[{ by: "S", text: `My son picked the ${instrument} for the school orchestra, ${coach} is teaching him on Saturdays.`, evidence: true }]],
      query: dice.pick([`Which instrument does ${s}'s son play?`, `Who teaches ${s}'s son music?`]),
    };
  },
];

export const MULTI_FACTS: FactTemplate[] = [
  (dice, s) => {
    const [first, second] = dice.sample(CITIES, 2);
    const client = dice.pick(CLIENTS);
    return {
      kind: "multi",
      parts: [
        [{ by: "S", text: `I'm flying to ${first} on Monday for the ${client} workshop, three days of meetings.`, evidence: true }],
        [{ by: "S", text: `Just got back from ${second}, the conference was exhausting but I met great people.`, evidence: true }],
      ],
      query: dice.pick([`Which cities did ${s} travel to for work?`, `Where has ${s} been on business trips?`]),
    };
  },
  (dice, s) => {
    const name = dice.pick(PET_NAMES);
    return {
      kind: "multi",
      parts: [
        [{ by: "S", text: `We got a puppy! A little terrier mix called ${name}.`, evidence: true }],
        [{ by: "S", text: `Spent the whole night at the emergency vet, ${name} swallowed one of my socks.`, evidence: true }],
      ],
      query: `What is the name of ${s}'s puppy and why did it go to the vet?`,
    };
  },
  (dice, s) => {
    const room = dice.pick(ROOMS);
    const colour = dice.pick(TILE_COLOURS);
    return {
      kind: "multi",
      parts: [
        [{ by: "S", text: `We started tearing out the ${room} this weekend, dust everywhere.`, evidence: true }],
        [
          { by: "O", text: "Is the renovation finished yet?" },
          { by: "S", text: `Finally done! We went with ${colour} tiles in the end.`, evidence: true },
        ],
      ],
      query: `Which room did ${s} renovate and what tiles did they choose?`,
    };
  },
  (dice, s) => {
    const [first, second] = dice.sample(HOBBIES, 2);
    return {
      kind: "multi",
      parts: [
        [{ by: "S", text: `I want a hobby that isn't a screen. Thinking about ${first}.`, evidence: true }],
        [{ by: "S", text: `${first} didn't work out, so I switched to ${second}. Much better teacher.`, evidence: true }],
      ],
      query: `Which hobbies has ${s} tried?`,
    };
  },
];

export const WHEN_FACTS: FactTemplate[] = [
  (dice, s) => ({
    kind: "when",
    parts: [[{ by: "S", text: "I finally ran my first half marathon today! Two hours and five minutes, legs are jelly.", evidence: true }]],
    query: dice.pick([`When did ${s} run the half marathon?`, `When did ${s} finish a 21 km race?`, `When was ${s}'s first long-distance race?`]),
  }),
  (dice, s) => ({
    kind: "when",
    parts: [
      [
        { by: "S", text: "We got engaged last night!! He proposed on the pier at sunset.", evidence: true },
        { by: "O", text: "WHAT! Congratulations to you both!" },
      ],
    ],
    query: dice.pick([`When did ${s} get engaged?`, `When did ${s}'s partner propose?`]),
  }),
  (dice, s) => ({
    kind: "when",
    parts: [[{ by: "S", text: "Passed my driving test this morning, on the third attempt.", evidence: true }]],
    query: dice.pick([`When did ${s} pass the driving test?`, `When did ${s} get a driving licence?`]),
  }),
  (dice, s) => ({
    kind: "when",
    parts: [[{ by: "S", text: "Had my wisdom teeth out today, I look like a hamster.", evidence: true }]],
    query: dice.pick([`When did ${s} have the wisdom teeth removed?`, `When was ${s}'s dental surgery?`]),
  }),
  (dice, s) => ({
    kind: "when",
    parts: [
      [
        { by: "O", text: "Any news from the hospital?" },
        { by: "S", text: "The baby arrived yesterday, a girl, 3.4 kilos. We're over the moon.", evidence: true },
      ],
    ],
    query: dice.pick([`When was ${s}'s baby born?`, `When did ${s} become a parent?`]),
  }),
  (dice, s) => ({
    kind: "when",
    parts: [[{ by: "S", text: "Handed in my thesis this afternoon. Four years, done.", evidence: true }]],
    query: dice.pick([`When did ${s} submit the thesis?`, `When did ${s} finish the dissertation?`]),
  }),
];

/** Said once by the cube owner, then asked about indirectly, in the first person. */
interface Preference {
  statement: string;
  question: string;
}

export const TUNING_PREFERENCES: Preference[] = [
  { statement: "My daughter is allergic to peanuts, so we check every label twice.", question: "What snacks should I pack for the school trip?" },
  { statement: "I've been vegetarian since college, never looked back.", question: "Can you suggest a restaurant for my birthday dinner?" },
  { statement: "I get terribly seasick, even on the short ferries.", question: "What should we do on our holiday in Greece, maybe island hopping?" },
  { statement: "I never stay in hostels anymore, I need my own bathroom.", question: "Where should I stay in Berlin next month?" },
  { statement: "Horror films give me nightmares for weeks, I just can't watch them.", question: "Which movie should we watch on Friday night?" },
  { statement: "I'm lactose intolerant, so milk is out for me.", question: "What should I order at the café tomorrow morning?" },
  { statement: "I hate flying, I take the train whenever I possibly can.", question: "How should I get to Paris for the conference?" },
  { statement: "My knees are bad, so running is off the table for me.", question: "What workout routine would suit me?" },
];

export const HELDOUT_PREFERENCES: Preference[] = [
  { statement: "I'm not drinking alcohol this year, a personal challenge.", question: "What should I bring to Ana's party on Saturday?" },
  { statement: "Spicy food wrecks my stomach, even a little chilli.", question: "Should we try the new Sichuan place for dinner?" },
  { statement: "I always need a window seat, the middle makes me claustrophobic.", question: "Which seat should I book for my flight to Rome?" },
  { statement: "Our cat is terrified of dogs, she hides for days.", question: "Would getting a puppy be a good idea for us?" },
];

export const preferenceFact =
  (preference: Preference): FactTemplate =>
  () => ({
    kind: "preference",
    parts: [[{ by: "S", text: preference.statement, evidence: true }]],
    query: preference.question,
  });

// Chinese conversations: no vector (the bundled encoder knows Latin script only), keywords only.
const CN_CITIES = ["成都", "杭州", "青岛", "厦门", "西安", "大连"];
const CN_PETS = ["豆豆", "团子", "可乐", "布丁", "年糕"];
const CN_HOBBIES = ["书法", "游泳", "古筝", "摄影", "烘焙"];

export const CHINESE_FACTS: FactTemplate[] = [
  (dice, s) => {
    const city = dice.pick(CN_CITIES);
    return {
      kind: "chinese",
      parts: [[{ by: "S", text: `我下个月要搬到${city}了，公司在那边开了新办公室。`, evidence: true }]],
      query: `${s}要搬到哪个城市？`,
    };
  },
  (dice, s) => {
    const name = dice.pick(CN_PETS);
    return {
      kind: "chinese",
      parts: [
        [
          { by: "O", text: "你家的猫叫什么来着？" },
          { by: "S", text: `叫${name}，特别黏人，每天晚上都睡在我枕头边。`, evidence: true },
        ],
      ],
      query: `${s}的猫叫什么名字？`,
    };
  },
  (dice, s) => {
    const hobby = dice.pick(CN_HOBBIES);
    return { kind: "chinese", parts: [[{ by: "S", text: `我最近报了一个${hobby}班，每周六上午上课。`, evidence: true }]], query: `${s}最近在学什么？` };
  },
  (dice, s) => ({ kind: "chinese", parts: [[{ by: "S", text: "我今天终于拿到驾照了，考了三次！", evidence: true }]], query: `${s}什么时候拿到驾照的？` }),
  (dice, s) => ({ kind: "chinese", parts: [[{ by: "S", text: "我对海鲜过敏，吃了虾就会起疹子。", evidence: true }]], query: `${s}对什么过敏？` }),
  (dice, s) => ({
    kind: "chinese",
    parts: [
      [{ by: "S", text: "我姐姐上周生了一个儿子，七斤二两。", evidence: true }],
      [{ by: "S", text: "我姐姐的儿子取名叫小树，全家都很喜欢。", evidence: true }],
    ],
    query: `${s}姐姐的孩子叫什么名字，是什么时候出生的？`,
  }),
];

/** Unrelated chatter that fills every session (some of it shares words with the facts on purpose). */
export const CHATTER = [
  "Ugh, Monday again. The coffee machine at work broke, so it's instant coffee for everyone.",
  "Did you see the match last night? That last-minute goal was unbelievable.",
  "It has rained for six days straight here. I've forgotten what the sun looks like.",
  "I'm trying to cut down on screen time, but that new series is not helping.",
  "We finally cleaned out the garage. Found a box of old photos from school.",
  "My neighbour's renovation starts at 7 every morning. Drilling, always drilling.",
  "The traffic on the ring road was a nightmare today, took me an hour to get home.",
  "Haha, that meme you sent had me crying at my desk.",
  "I made lasagne from scratch on Sunday. Too much work, but so good.",
  "Work is chaos, we have a deadline on Friday and nobody knows what the client wants.",
  "I think I'm coming down with a cold, my throat is scratchy.",
  "How was your weekend? Anything fun?",
  "Not much, just lazy. Slept in, read a bit, walked to the market.",
  "My mum called to ask about the holidays already. It's months away!",
  "The kids have a school trip next week, the permission slips are somewhere in my bag.",
  "I keep meaning to book a dentist appointment and then forgetting.",
  "Have you tried that bakery on the corner? Their cinnamon rolls are dangerous.",
  "I'm so tired. The baby next door cried all night.",
  "We watched a documentary about octopuses, they're basically aliens.",
  "The team lunch was fine, the restaurant was too loud to talk though.",
  "My phone screen cracked again. Third time this year.",
  "Thinking about taking a few days off in spring, just to breathe.",
  "The gym was packed tonight, everyone and their new year's resolutions.",
  "Ha, true. Anyway, how's your dad doing?",
  "He's better, thanks for asking. Still grumpy about the hospital food.",
  "I started a sourdough starter. Its name is Doughbert.",
  "Our internet was down all afternoon, I had to work from the café.",
  "Sorry for the late reply, the day just ran away from me.",
  "No worries at all! Talk tomorrow?",
  "Sure, sleep well!",
  "Good morning! Did you survive yesterday?",
  "Barely. I need a holiday from my holiday.",
  "I bought a plant for the office and I've already nearly killed it.",
  "The new manager wants a weekly report on everything. Everything!",
  "Our flight home was delayed four hours, we ate terrible airport pizza.",
  "I signed the kids up for swimming lessons, they're thrilled.",
  "We had friends over for dinner, I burned the rice but nobody noticed.",
  "My sister keeps sending me wedding venue links, she's getting married next summer.",
  "Did you end up going to that concert?",
  "Yes! The band was great, the sound not so much.",
  "I'm reorganising my bookshelf by colour. Don't judge me.",
  "Lunch today was leftovers again. I need to learn to cook for one.",
  "What time is the meeting tomorrow? I can't find the invite.",
  "Ten, I think. I'll forward it to you.",
  "The heating in our building broke, we're wearing coats indoors.",
  "I ran into our old teacher at the supermarket, she remembered my name!",
  "We're thinking of repainting the living room, maybe something warmer.",
  "Honestly I just want a quiet weekend with a good book.",
  "That's fair. Let me know if you want to grab a coffee.",
  "The train was cancelled so I worked from home, which was nice actually.",
];

export const CHINESE_CHATTER = [
  "今天加班到九点，累死了。",
  "周末去爬山了吗？天气还不错。",
  "我最近在追一部新剧，挺好看的。",
  "晚饭吃了火锅，撑得不行。",
  "公司楼下新开了一家咖啡店，你去过吗？",
  "下雨了，记得带伞。",
  "我妈又催我回家过年了。",
  "哈哈，太好笑了。",
  "明天早上有个会，得早点起。",
  "最近睡眠不太好，老是半夜醒。",
  "你那边冷不冷？我们这儿降温了。",
  "地铁今天特别挤。",
  "好的，明天见！",
  "我刚跑完步，出了一身汗。",
  "孩子学校下周要开家长会。",
  "网购的东西还没到，等了一个星期了。",
];

// Chatter about other people, built from parts: it shares words with the facts (cities, hobbies,
// jobs, races) without answering any question, as real conversations do.
const OTHERS = [
  "my boss",
  "my neighbour",
  "my mum",
  "our landlord",
  "my flatmate",
  "a guy at work",
  "my cousin",
  "the kids' teacher",
  "my dentist",
  "an old school friend",
];
const DOINGS = [
  (dice: Dice) => `booked a weekend in ${dice.pick(CITIES)}`,
  (dice: Dice) => `wants to learn ${dice.pick(HOBBIES)}`,
  (dice: Dice) => `is reading ${dice.pick(BOOKS)} and won't stop quoting it`,
  (dice: Dice) => `is selling an old ${dice.pick(CARS)}`,
  (dice: Dice) => `applied for a ${dice.pick(JOBS)} job somewhere`,
  (dice: Dice) => `is training for a marathon in ${dice.pick(CITIES)}`,
  (dice: Dice) => `is redoing the ${dice.pick(ROOMS)} again`,
  (dice: Dice) => `got a ${dice.pick(PET_KINDS)} and posts photos of it every hour`,
  () => "keeps talking about a sailing holiday",
  () => "failed the driving test, for the second time",
  () => "is writing a thesis about supermarket queues",
  () => "is expecting a baby in spring",
  () => "asked me for restaurant recommendations",
  () => "brought homemade snacks to work, all gone in ten minutes",
  () => "had a terrible flight with a screaming toddler behind",
  () => "can't decide between a holiday in Greece or Portugal",
  () => "started going to the gym at six in the morning",
];
const OPENERS = ["", "", "Honestly, ", "Ha, ", "Ugh, ", "So ", "Anyway, ", "Random thing: ", "Oh, and ", "Guess what, "];
const CLOSERS = ["", "", "", " Typical.", " How about you?", " Long story.", " Don't ask.", " Classic."];

export function chatterLine(dice: Dice): string {
  if (dice.chance(0.5)) return dice.pick(CHATTER);
  const subject = dice.pick(OTHERS);
  const opener = dice.pick(OPENERS);
  const start = opener === "" ? subject.charAt(0).toUpperCase() + subject.slice(1) : `${opener}${subject}`;
  return `${start} ${dice.pick(DOINGS)(dice)}.${dice.pick(CLOSERS)}`;
}
