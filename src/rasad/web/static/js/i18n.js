/* rasad web UI: interface labels in English and Arabic. Data (names, article text) is never translated here. */
"use strict";
(function () {
  const R = (window.Rasad = window.Rasad || {});

  const EN = {
    "app.title": "rasad — conflict monitor",
    "nav.map": "Map", "nav.timeline": "Timeline", "nav.network": "Network", "nav.articles": "Articles",
    "nav.stories": "Stories", "nav.entities": "Entities",
    "search.placeholder": "Search articles and names…", "search.go": "Search", "search.title": "Search",
    "search.none": "Nothing matches.", "lang.switch": "العربية",
    "filter.from": "From", "filter.to": "To", "filter.type": "Event type", "filter.actor": "Actor",
    "filter.place": "Place", "filter.outlet": "Outlet", "filter.min": "Min. sources", "filter.certainty": "Certainty",
    "filter.apply": "Apply", "filter.reset": "Reset", "filter.any": "any", "filter.type_entity": "Type",
    "filter.name": "Name",
    "map.events": "Events", "map.presence": "Actor presence", "map.boundaries": "Boundaries (offline)",
    "map.tiles": "Online map tiles", "map.summary": "{n} events match; {m} with coordinates are on the map.",
    "map.presence_note": "Rings: places where actors are reported present or in control.",
    "timeline.summary": "{n} events", "timeline.undated": "{n} without a date",
    "timeline.hint": "Click a bar to narrow the dates to it.", "timeline.more": "Show more",
    "network.predicates": "Relations shown", "network.select": "Click an actor or person.",
    "network.open": "Open entity page", "network.summary": "{n} actors and persons, {m} relations",
    "network.blocs": "Affiliation blocs", "network.edges": "Edges (coloured by the subject's bloc)",
    "entity.names": "Names", "entity.aliases": "Aliases", "entity.details": "Details", "entity.type": "Type",
    "entity.feature": "Kind", "entity.bloc": "Bloc", "entity.country": "Country", "entity.admin1": "Admin area",
    "entity.coords": "Coordinates", "entity.wikidata": "Wikidata", "entity.parent": "Part of",
    "entity.mentions": "Mentions", "entity.discovered": "Discovered in the articles (not in the knowledge base)",
    "entity.relations": "Relations", "entity.events": "Events", "entity.articles": "Articles naming it",
    "entity.none": "None.",
    "rel.subject": "Subject", "rel.predicate": "Relation", "rel.object": "Object",
    "ev.date": "Date", "ev.type": "Type", "ev.place": "Place", "ev.actors": "Actors", "ev.fatalities": "Fatalities",
    "ev.sources": "Sources", "ev.corroboration": "{n} source(s)", "ev.evidence": "Evidence", "ev.details": "Details",
    "ev.civilians": "civilians targeted", "ev.vs": "vs", "ev.notes": "Notes",
    "evidence.by": "according to {who}", "evidence.open": "read in article",
    "article.outlet": "Outlet", "article.published": "Published", "article.byline": "By",
    "article.link": "Original", "article.story": "Story", "article.legend":
      "Highlighted: names linked to entities. Underlined background: sentences used as evidence.",
    "article.mentions": "{n} mentions", "article.evidence": "{n} evidence sentences",
    "articles.title": "Articles", "stories.title": "Stories", "stories.size": "{n} articles",
    "stories.none": "No stories yet: run the merge stage to group articles that report the same development.",
    "story.title": "Story", "entities.title": "Entities",
    "list.more": "Next page", "list.prev": "Previous page", "list.range": "{a}–{b} of {n}",
    "col.name": "Name", "col.name_ar": "Arabic", "col.type": "Type", "col.mentions": "Mentions",
    "col.articles": "Articles", "col.events": "Events", "col.outlet": "Outlet", "col.date": "Date",
    "col.title": "Title", "col.relation": "Relation", "col.sources": "Sources",
    "report.title": "rasad report", "report.generated": "Generated {when}",
    "report.top_actors": "Most active actors", "report.top_places": "Places with most events",
    "report.top_outlets": "Outlets", "report.top_relations": "Best-sourced relations",
    "report.counts": "{articles} articles · {events} events · {relations} relations · {entities} entities",
    "error": "Something went wrong: {msg}", "loading": "Loading…", "notfound": "Not found.",
    "type.actor": "actor", "type.person": "person", "type.place": "place", "type.facility": "facility",
    "type.source": "source",
  };

  const AR = {
    "app.title": "رصد — مرصد النزاعات",
    "nav.map": "الخريطة", "nav.timeline": "الخط الزمني", "nav.network": "الشبكة", "nav.articles": "المقالات",
    "nav.stories": "القصص", "nav.entities": "الكيانات",
    "search.placeholder": "ابحث في المقالات والأسماء…", "search.go": "بحث", "search.title": "البحث",
    "search.none": "لا توجد نتائج.", "lang.switch": "English",
    "filter.from": "من", "filter.to": "إلى", "filter.type": "نوع الحدث", "filter.actor": "الفاعل",
    "filter.place": "المكان", "filter.outlet": "المصدر", "filter.min": "أدنى عدد مصادر", "filter.certainty": "درجة اليقين",
    "filter.apply": "تطبيق", "filter.reset": "إعادة ضبط", "filter.any": "الكل", "filter.type_entity": "النوع",
    "filter.name": "الاسم",
    "map.events": "الأحداث", "map.presence": "انتشار الفاعلين", "map.boundaries": "الحدود (دون اتصال)",
    "map.tiles": "خريطة عبر الإنترنت", "map.summary": "{n} حدثاً مطابقاً؛ {m} منها بإحداثيات على الخريطة.",
    "map.presence_note": "الحلقات: أماكن يُذكر وجود فاعلين فيها أو سيطرتهم عليها.",
    "timeline.summary": "{n} حدثاً", "timeline.undated": "{n} بلا تاريخ",
    "timeline.hint": "انقر على عمود لحصر التواريخ فيه.", "timeline.more": "عرض المزيد",
    "network.predicates": "العلاقات المعروضة", "network.select": "انقر على فاعل أو شخص.",
    "network.open": "فتح صفحة الكيان", "network.summary": "{n} فاعلاً وشخصاً، {m} علاقة",
    "network.blocs": "الكتل والانتماءات", "network.edges": "الروابط (بلون كتلة الفاعل)",
    "entity.names": "الأسماء", "entity.aliases": "أسماء أخرى", "entity.details": "التفاصيل", "entity.type": "النوع",
    "entity.feature": "الصنف", "entity.bloc": "الكتلة", "entity.country": "البلد", "entity.admin1": "المحافظة",
    "entity.coords": "الإحداثيات", "entity.wikidata": "ويكي بيانات", "entity.parent": "جزء من",
    "entity.mentions": "مرات الذكر", "entity.discovered": "اكتُشف في المقالات (ليس في قاعدة المعرفة)",
    "entity.relations": "العلاقات", "entity.events": "الأحداث", "entity.articles": "مقالات تذكره",
    "entity.none": "لا شيء.",
    "rel.subject": "الفاعل", "rel.predicate": "العلاقة", "rel.object": "الطرف الآخر",
    "ev.date": "التاريخ", "ev.type": "النوع", "ev.place": "المكان", "ev.actors": "الفاعلون", "ev.fatalities": "القتلى",
    "ev.sources": "المصادر", "ev.corroboration": "{n} مصدر", "ev.evidence": "الأدلة", "ev.details": "التفاصيل",
    "ev.civilians": "استهداف مدنيين", "ev.vs": "ضد", "ev.notes": "ملاحظات",
    "evidence.by": "بحسب {who}", "evidence.open": "اقرأ في المقال",
    "article.outlet": "المصدر", "article.published": "تاريخ النشر", "article.byline": "الكاتب",
    "article.link": "الرابط الأصلي", "article.story": "القصة", "article.legend":
      "المظلل: أسماء مرتبطة بكيانات. الخلفية المسطّرة: جمل استُخدمت أدلة.",
    "article.mentions": "{n} إشارة", "article.evidence": "{n} جملة دليل",
    "articles.title": "المقالات", "stories.title": "القصص", "stories.size": "{n} مقالات",
    "stories.none": "لا قصص بعد: شغّل مرحلة الدمج لتجميع المقالات التي تروي التطور نفسه.",
    "story.title": "القصة", "entities.title": "الكيانات",
    "list.more": "الصفحة التالية", "list.prev": "الصفحة السابقة", "list.range": "{a}–{b} من {n}",
    "col.name": "الاسم", "col.name_ar": "بالعربية", "col.type": "النوع", "col.mentions": "مرات الذكر",
    "col.articles": "المقالات", "col.events": "الأحداث", "col.outlet": "المصدر", "col.date": "التاريخ",
    "col.title": "العنوان", "col.relation": "العلاقة", "col.sources": "المصادر",
    "report.title": "تقرير رصد", "report.generated": "أُنشئ في {when}",
    "report.top_actors": "أكثر الفاعلين نشاطاً", "report.top_places": "الأماكن الأكثر أحداثاً",
    "report.top_outlets": "المصادر", "report.top_relations": "العلاقات الأكثر توثيقاً",
    "report.counts": "{articles} مقالة · {events} حدثاً · {relations} علاقة · {entities} كياناً",
    "error": "حدث خطأ: {msg}", "loading": "جارٍ التحميل…", "notfound": "غير موجود.",
    "type.actor": "فاعل", "type.person": "شخص", "type.place": "مكان", "type.facility": "منشأة", "type.source": "مصدر",
  };

  // Vocabulary of the data model (ACLED types, predicates, certainty, blocs): shown in the interface language.
  const TERMS = {
    "Battles": ["Battles", "معارك"],
    "Explosions/Remote violence": ["Explosions/Remote violence", "انفجارات / عنف عن بعد"],
    "Violence against civilians": ["Violence against civilians", "عنف ضد المدنيين"],
    "Protests": ["Protests", "احتجاجات"], "Riots": ["Riots", "أعمال شغب"],
    "Strategic developments": ["Strategic developments", "تطورات استراتيجية"],
    "backed_by": ["backed by", "مدعوم من"], "allied_with": ["allied with", "متحالف مع"],
    "opposes": ["opposes", "يعادي"], "leads": ["leads", "يقود"], "part_of": ["part of", "جزء من"],
    "member_of": ["member of", "عضو في"], "controls": ["controls", "يسيطر على"],
    "present_in": ["present in", "موجود في"], "located_in": ["located in", "يقع في"],
    "asserted": ["asserted", "مؤكَّد"], "reported": ["reported", "منقول"], "believed": ["believed", "مُعتقَد"],
    "denied": ["denied", "منفي"],
    "iran": ["Iran and allied militias", "إيران والميليشيات الموالية"], "syria_gov": ["Syrian government", "الحكومة السورية"],
    "pmf": ["Popular Mobilisation Forces", "الحشد الشعبي"], "sdf": ["SDF", "قسد"], "kurdish": ["Kurdish", "كردي"],
    "us_coalition": ["US-led coalition", "التحالف الدولي"], "iraq_gov": ["Iraqi government", "الحكومة العراقية"],
    "isis": ["Islamic State", "تنظيم الدولة"], "al_qaeda": ["al-Qaeda", "القاعدة"], "hts": ["HTS", "هيئة تحرير الشام"],
    "israel": ["Israel", "إسرائيل"], "russia": ["Russia", "روسيا"], "turkey": ["Turkey", "تركيا"],
    "sna": ["Syrian National Army", "الجيش الوطني السوري"], "rebels": ["Rebels", "فصائل المعارضة"],
    "jordan": ["Jordan", "الأردن"], "lebanon_gov": ["Lebanese state", "الدولة اللبنانية"], "un": ["UN", "الأمم المتحدة"],
    "other": ["Other", "أخرى"], "none": ["No known bloc", "غير معروف"],
  };

  R.lang = "en";
  try {
    const saved = window.localStorage.getItem("rasad.lang");
    if (saved === "ar" || saved === "en") R.lang = saved;
  } catch (e) { /* storage may be unavailable (file:// pages) */ }

  /** A label in the interface language, with {name} placeholders filled from vars (as text). */
  R.t = function (key, vars) {
    const table = R.lang === "ar" ? AR : EN;
    let text = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : EN[key] || key;
    if (vars) {
      text = text.replace(/\{(\w+)\}/g, function (m, name) {
        return Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m;
      });
    }
    return text;
  };

  /** A data-model term (event type, predicate, certainty, bloc) in the interface language. */
  R.term = function (value) {
    if (value === null || value === undefined || value === "") return R.lang === "ar" ? TERMS.none[1] : TERMS.none[0];
    const entry = Object.prototype.hasOwnProperty.call(TERMS, value) ? TERMS[value] : null;
    return entry ? entry[R.lang === "ar" ? 1 : 0] : String(value);
  };

  /** Apply the language to the page: lang/dir on <html>, and every [data-i18n] element's text. */
  R.applyLang = function (root) {
    const html = document.documentElement;
    html.lang = R.lang;
    html.dir = R.lang === "ar" ? "rtl" : "ltr";
    (root || document).querySelectorAll("[data-i18n]").forEach(function (node) {
      node.textContent = R.t(node.getAttribute("data-i18n"));
    });
    (root || document).querySelectorAll("[data-i18n-placeholder]").forEach(function (node) {
      node.setAttribute("placeholder", R.t(node.getAttribute("data-i18n-placeholder")));
    });
    document.title = R.t(R.titleKey || "app.title");
  };

  R.setLang = function (lang) {
    R.lang = lang === "ar" ? "ar" : "en";
    try { window.localStorage.setItem("rasad.lang", R.lang); } catch (e) { /* ignore */ }
    R.applyLang();
  };
})();
