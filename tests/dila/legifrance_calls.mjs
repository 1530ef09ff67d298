// An integrator's program using @socialgouv/dila-api-client as its README says: configured by
// OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, TOKEN_HOST and API_HOST only, nothing of pistesim in
// it. It fetches an article, searches, lists the codes and reads a code's table of contents,
// and fails (exit 1) when an answer lacks what such a program reads.
import dila from "@socialgouv/dila-api-client";

const client = new dila.DilaApiClient();
const failures = [];
const expect = (what, ok) => {
  if (!ok) failures.push(what);
};

const article = await client.fetch({
  path: "consult/getArticle",
  params: { id: "LEGIARTI000032041571" },
});
expect("getArticle: article.id", article.article?.id === "LEGIARTI000032041571");
expect("getArticle: article.texte", typeof article.article?.texte === "string");

const found = await client.fetch({
  path: "search",
  params: {
    fond: "CODE_DATE",
    recherche: {
      champs: [{ typeChamp: "ALL", criteres: [{ typeRecherche: "EXACTE", valeur: "dommage", operateur: "ET" }], operateur: "ET" }],
      pageNumber: 1,
      pageSize: 10,
      operateur: "ET",
      sort: "PERTINENCE",
      typePagination: "DEFAUT",
    },
  },
});
expect("search: results", Array.isArray(found.results) && found.results.length > 0);
expect("search: totalResultNumber", Number.isInteger(found.totalResultNumber));

const codes = await client.fetch({ path: "list/code", method: "POST" });
expect("list/code: results", Array.isArray(codes.results) && codes.results.length > 0);
expect("list/code: titre and id", codes.results?.every((c) => c.titre && c.id?.startsWith("LEGITEXT")));

const toc = await client.fetch({
  path: "consult/code/tableMatieres",
  method: "POST",
  params: { date: new Date().getTime(), sctId: "", textId: "LEGITEXT000006072050" },
});
const articleIds = [];
const walk = (section) => {
  for (const a of section.articles ?? []) articleIds.push(a.id);
  for (const s of section.sections ?? []) walk(s);
};
walk(toc);
expect("tableMatieres: title", typeof toc.title === "string");
expect("tableMatieres: articles in sections", articleIds.length > 0 && articleIds.every((id) => id.startsWith("LEGIARTI")));

// Without its fields, tableMatieres is a 400 the client turns into an error.
let refused = false;
try {
  await client.fetch({ path: "consult/code/tableMatieres", params: {} });
} catch (e) {
  refused = /Bad Request/.test(String(e));
}
expect("tableMatieres without textId and date: an error", refused);

if (failures.length) {
  console.error(`legifrance_calls: ${failures.length} check(s) failed: ${failures.join("; ")}`);
  process.exit(1);
}
console.log(`legifrance_calls: getArticle, search, list/code (${codes.results.length} codes), tableMatieres (${articleIds.length} articles) OK against ${process.env.API_HOST}`);
