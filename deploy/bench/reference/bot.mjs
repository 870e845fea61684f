// The reference bot of deploy/BENCHMARKS.md: what a lean single-threaded
// Node bot does on this machine under the load tool (`-workload
// reference`), the yardstick issue 13 names. grammY, Redis sessions
// (GET and SET per update), and a 9-step flow that keeps each answer in
// the session, like the sell flow's loop; the replies are "Bước N" (step N).
//
// It takes the service's settings from the environment, so that the load
// tool starts it as it starts the service: HTTP_ADDR, REDIS_URL,
// TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET and TELEGRAM_API_ENDPOINT.
import http from "node:http";
import { Bot, session, webhookCallback } from "grammy";
import { RedisAdapter } from "@grammyjs/storage-redis";
import { Redis } from "ioredis";

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is unset`);
  return v;
};

const steps = 9;
const bot = new Bot(env("TELEGRAM_BOT_TOKEN"), {
  client: {
    apiRoot: env("TELEGRAM_API_ENDPOINT").replace(/\/bot%s\/%s$/, ""),
    baseFetchConfig: { agent: new http.Agent({ keepAlive: true }), compress: false },
  },
});
const redis = new Redis(env("REDIS_URL"));
bot.use(session({
  initial: () => ({ step: 0, answers: [] }),
  storage: new RedisAdapter({ instance: redis }),
}));
bot.on("message", async (ctx) => {
  const s = ctx.session;
  s.answers.push(ctx.message.text ?? ctx.message.photo?.at(-1)?.file_id ?? "");
  s.step++;
  if (s.step === steps) {
    s.step = 0;
    s.answers = [];
  }
  await ctx.reply(`Bước ${s.step + 1}`);
});

await bot.init(); // getMe
const webhook = webhookCallback(bot, "http", { secretToken: env("TELEGRAM_WEBHOOK_SECRET") });
const [host, port] = env("HTTP_ADDR").split(":");
http.createServer((req, res) => {
  if (req.url === "/webhook/telegram" && req.method === "POST") return webhook(req, res);
  res.writeHead(req.url === "/readyz" || req.url === "/healthz" ? 200 : 404).end();
}).listen(Number(port), host);
