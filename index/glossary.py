"""An English→Italian glossary of common words, for English questions over Italian articles.

The model reads English only and many English words share no root with their
Italian equivalents ("agree"/"accordo", "war"/"guerra", "loan"/"prestito"), so the
keyword side of an English question also searches the Italian words listed here.
Plain data, meant to grow: a newsroom adds the terms its beats use. Keys are
English words (any inflection is matched through its Snowball stem); values are
Italian words (matched through their stems and prefixes, like the archive's own).
Measured in ``bench/quality.py`` (English questions, with and without it).
"""

from __future__ import annotations

import functools

import Stemmer

from index.languages import fold

GLOSSARY: dict[str, tuple[str, ...]] = {
    # agreements, politics, institutions
    "agree": ("accordo", "concordare", "intesa"), "agreement": ("accordo", "intesa", "trattato"),
    "deal": ("accordo", "intesa"), "treaty": ("trattato",), "sign": ("firmare", "firma"),
    "meet": ("incontrare", "incontro", "vertice"), "meeting": ("incontro", "riunione", "vertice"),
    "summit": ("vertice",), "talk": ("colloqui", "negoziati"), "negotiation": ("negoziati", "trattative"),
    "visit": ("visita", "visitare"), "speech": ("discorso",), "say": ("dire", "dichiarare", "affermare"),
    "announce": ("annunciare", "annuncio"), "statement": ("dichiarazione", "nota", "comunicato"),
    "spokesman": ("portavoce",), "spokesperson": ("portavoce",), "deny": ("smentire", "negare"),
    "president": ("presidente",), "minister": ("ministro",), "ministry": ("ministero",),
    "government": ("governo",), "parliament": ("parlamento",), "leader": ("leader", "capo"),
    "opposition": ("opposizione",), "election": ("elezioni",), "vote": ("voto", "votare"),
    "win": ("vincere", "vittoria", "vincitore"), "winner": ("vincitore",), "lose": ("perdere", "sconfitta"),
    "law": ("legge",), "court": ("tribunale", "corte"), "judge": ("giudice",), "police": ("polizia",),
    "arrest": ("arresto", "arrestare", "arresti"), "prison": ("carcere", "prigione"), "jail": ("carcere",),
    "protest": ("protesta", "manifestazione"), "demonstration": ("manifestazione",),
    "resign": ("dimettersi", "dimissioni"), "resignation": ("dimissioni",), "exile": ("esilio",),
    "refugee": ("rifugiato", "profugo"), "independence": ("indipendenza",), "support": ("sostegno", "appoggio"),
    "ally": ("alleato", "alleanza"), "alliance": ("alleanza",), "isolation": ("isolamento",),
    "relation": ("rapporti", "relazioni"), "cooperation": ("cooperazione", "collaborazione"),
    "country": ("paese", "stato", "nazione"), "state": ("stato",), "capital": ("capitale",),
    "city": ("città",), "border": ("confine", "frontiera"), "region": ("regione",), "west": ("occidente",),
    "western": ("occidentale",), "east": ("oriente", "est"), "foreign": ("estero", "esteri"),
    "king": ("re",), "queen": ("regina",), "emperor": ("imperatore",), "empire": ("impero",),
    "church": ("chiesa",), "pope": ("papa",), "war": ("guerra", "conflitto"), "peace": ("pace",),
    # war and defence
    "army": ("esercito",), "troop": ("truppe", "soldati"), "soldier": ("soldati", "militari"),
    "military": ("militare", "militari"), "defence": ("difesa",), "defense": ("difesa",),
    "weapon": ("armi", "armamenti"), "arm": ("armi", "armamenti"), "missile": ("missili", "missilistiche"),
    "attack": ("attacco", "attacchi", "attaccare"), "invasion": ("invasione",), "invade": ("invadere", "invasione"),
    "nuclear": ("nucleare",), "bomb": ("bomba",), "pilot": ("piloti",), "aircraft": ("aerei",),
    "plane": ("aereo", "aerei"), "drill": ("esercitazione",), "exercise": ("esercitazione",),
    "train": ("addestramento", "addestrare", "treno"), "training": ("addestramento",),
    "threat": ("minaccia",), "security": ("sicurezza",), "join": ("unirsi", "partecipare", "aderire"),
    "involve": ("coinvolgere", "coinvolgimento"), "participation": ("partecipazione",),
    # economy
    "sanction": ("sanzioni",), "loan": ("prestito",), "debt": ("debito",), "money": ("denaro", "soldi"),
    "billion": ("miliardi",), "million": ("milioni",), "thousand": ("mila",), "dollar": ("dollari",),
    "cost": ("costo", "costare", "costi"), "price": ("prezzo", "prezzi"), "pay": ("pagare",),
    "trade": ("commercio", "commerciali", "scambi"), "export": ("esportazioni",), "import": ("importazioni",),
    "economy": ("economia",), "economic": ("economico", "economica"), "market": ("mercato",),
    "bank": ("banca",), "tax": ("tasse", "imposta"), "company": ("azienda", "società", "impresa"),
    "industry": ("industria",), "energy": ("energia",), "power": ("potere", "energia", "centrale"),
    "plant": ("centrale", "impianto", "pianta"), "gas": ("gas",), "oil": ("petrolio",),
    "supply": ("forniture", "rifornimento", "fornire"), "delivery": ("consegne",), "grow": ("crescere",),
    "build": ("costruire", "costruzione"), "production": ("produzione",), "produce": ("produrre",),
    "work": ("lavoro", "lavorare"), "worker": ("lavoratori",), "job": ("lavoro",),
    # people, society, places
    "people": ("persone", "popolo"), "population": ("popolazione", "abitanti"), "inhabitant": ("abitanti",),
    "woman": ("donne", "donna"), "man": ("uomo", "uomini"), "child": ("bambini", "figli"),
    "family": ("famiglia",), "death": ("morte",), "die": ("morire", "morto"), "dead": ("morti", "morto"),
    "kill": ("uccidere", "uccisi"), "born": ("nato", "nascita"), "birth": ("nascita",), "life": ("vita",),
    "school": ("scuola",), "university": ("università",), "student": ("studenti",), "teacher": ("insegnante",),
    "hospital": ("ospedale",), "doctor": ("medico",), "disease": ("malattia",), "virus": ("virus",),
    "health": ("salute", "sanità"), "water": ("acqua",), "food": ("cibo", "alimenti"), "river": ("fiume",),
    "sea": ("mare",), "island": ("isola",), "mountain": ("montagna", "monte"), "land": ("terra",),
    "world": ("mondo", "mondiale"), "earth": ("terra",), "sun": ("sole",), "fire": ("fuoco", "incendio"),
    "building": ("edificio",), "house": ("casa",), "home": ("casa",), "street": ("strada", "via"),
    "road": ("strada",), "car": ("auto", "automobile"), "ship": ("nave",), "station": ("stazione",),
    "team": ("squadra",), "game": ("partita", "gioco"), "match": ("partita",),
    "player": ("giocatore",), "sport": ("sport",), "music": ("musica",), "song": ("canzone",),
    "book": ("libro",), "write": ("scrivere", "scritto"), "writer": ("scrittore",), "film": ("film",),
    "news": ("notizie",), "newspaper": ("giornale", "quotidiano"), "agency": ("agenzia",),
    "report": ("rapporto", "riferire"), "intelligence": ("intelligence",), "analyst": ("analisti",),
    "expert": ("esperti",), "study": ("studio", "studiare"), "research": ("ricerca",), "science": ("scienza",),
    "language": ("lingua",), "name": ("nome",), "call": ("chiamare", "definire"), "number": ("numero",),
    "large": ("grande",), "largest": ("maggiore", "più grande"), "big": ("grande",), "small": ("piccolo",),
    "new": ("nuovo", "nuova"), "old": ("vecchio", "antico"), "first": ("primo", "prima"), "last": ("ultimo",),
    "second": ("secondo",), "third": ("terzo",), "high": ("alto",), "low": ("basso",), "long": ("lungo",),
    "time": ("tempo", "volta"), "year": ("anno", "anni"), "month": ("mese",), "week": ("settimana",),
    "day": ("giorno",), "century": ("secolo",), "today": ("oggi",), "yesterday": ("ieri",),
    # general verbs and nouns that questions use
    "found": ("fondare", "fondato", "fondazione"), "create": ("creare", "creato"), "discover": ("scoprire", "scoperta"),
    "invent": ("inventare", "invenzione"), "use": ("usare", "utilizzare", "uso"), "know": ("noto", "conosciuto"),
    "begin": ("iniziare", "inizio"), "start": ("iniziare", "inizio"), "end": ("fine", "finire", "termine"),
    "happen": ("accadere", "succedere", "avvenire"), "cause": ("causa", "causare"), "result": ("risultato",),
    "change": ("cambiamento", "cambiare"), "increase": ("aumento", "aumentare"), "decrease": ("diminuire", "calo"),
    "rule": ("governare", "regola", "dominio"), "control": ("controllo", "controllare"), "allow": ("permettere", "consentire"),
    "require": ("richiedere",), "include": ("includere", "comprendere"), "contain": ("contenere",),
    "consider": ("considerare",), "receive": ("ricevere",), "give": ("dare",), "take": ("prendere",),
    "lead": ("guidare", "portare"), "move": ("spostare", "trasferire"), "live": ("vivere",), "travel": ("viaggio", "viaggiare"),
    "area": ("area", "zona"), "size": ("dimensione", "dimensioni"), "percent": ("percento", "cento"),
    "average": ("media",), "type": ("tipo",), "kind": ("tipo",), "group": ("gruppo",), "member": ("membri", "membro"),
    "organization": ("organizzazione",), "system": ("sistema",), "process": ("processo",), "problem": ("problema",),
    "theory": ("teoria",), "period": ("periodo",), "era": ("epoca",), "history": ("storia",), "battle": ("battaglia",),
    "victory": ("vittoria",), "defeat": ("sconfitta",), "force": ("forza", "forze"), "ruler": ("sovrano",),
    "dynasty": ("dinastia",), "tribe": ("tribù",), "religion": ("religione",), "god": ("dio",), "temple": ("tempio",),
    "art": ("arte",), "artist": ("artista",), "painting": ("dipinto",), "museum": ("museo",),
    "award": ("premio",), "prize": ("premio",), "coach": ("allenatore",), "season": ("stagione",),
    "score": ("punteggio", "segnare"), "goal": ("gol", "obiettivo"), "championship": ("campionato",),
    "cup": ("coppa",), "league": ("lega", "campionato"), "network": ("rete",), "television": ("televisione",),
    "broadcast": ("trasmissione", "trasmettere"), "device": ("dispositivo",), "cell": ("cellula", "cellule"),
    "body": ("corpo",), "blood": ("sangue",), "animal": ("animale", "animali"), "species": ("specie",),
    "tree": ("albero", "alberi"), "forest": ("foresta",), "climate": ("clima",), "temperature": ("temperatura",),
    "rain": ("pioggia",), "weather": ("meteo", "tempo"), "light": ("luce",), "heat": ("calore",),
    "gold": ("oro",), "iron": ("ferro",), "coal": ("carbone",), "steel": ("acciaio",), "crop": ("raccolto", "colture"),
    "farm": ("fattoria", "agricola"), "agriculture": ("agricoltura",), "port": ("porto",), "bridge": ("ponte",),
    "airport": ("aeroporto",), "railway": ("ferrovia",), "district": ("distretto", "quartiere"),
    "province": ("provincia",), "county": ("contea",), "colony": ("colonia",), "constitution": ("costituzione",),
    "right": ("diritto", "diritti"), "freedom": ("libertà",), "senate": ("senato",), "council": ("consiglio",),
    "committee": ("comitato",), "mayor": ("sindaco",), "governor": ("governatore",), "party": ("partito",),
    "candidate": ("candidato",), "campaign": ("campagna",), "policy": ("politica",), "reform": ("riforma",),
    "crisis": ("crisi",), "strike": ("sciopero", "attacco"), "accident": ("incidente",), "earthquake": ("terremoto",),
    "flood": ("alluvione", "inondazione"), "storm": ("tempesta",), "wave": ("onda",), "speed": ("velocità",),
    "distance": ("distanza",), "weight": ("peso",), "height": ("altezza",), "length": ("lunghezza",),
    # months and days
    "january": ("gennaio",), "february": ("febbraio",), "march": ("marzo",), "april": ("aprile",),
    "june": ("giugno",), "july": ("luglio",), "august": ("agosto",),
    "september": ("settembre",), "october": ("ottobre",), "november": ("novembre",), "december": ("dicembre",),
    "monday": ("lunedì",), "tuesday": ("martedì",), "wednesday": ("mercoledì",), "thursday": ("giovedì",),
    "friday": ("venerdì",), "saturday": ("sabato",), "sunday": ("domenica",),
    # countries and peoples whose Italian names differ
    "russia": ("russia",), "russian": ("russo", "russa", "russi"), "belarus": ("bielorussia",),
    "belarusian": ("bielorusso", "bielorussa", "bielorussi"), "ukraine": ("ucraina",),
    "ukrainian": ("ucraino", "ucraina", "ucraini"), "germany": ("germania",), "german": ("tedesco", "tedeschi"),
    "france": ("francia",), "french": ("francese",), "spain": ("spagna",), "england": ("inghilterra",),
    "britain": ("gran bretagna", "regno unito"), "british": ("britannico", "britannica"),
    "united": ("uniti", "unito"), "kingdom": ("regno",), "america": ("america",), "american": ("americano",),
    "china": ("cina",), "chinese": ("cinese",), "japan": ("giappone",), "poland": ("polonia",),
    "lithuania": ("lituania",), "kazakhstan": ("kazakistan",), "europe": ("europa",),
    "european": ("europeo", "europea"), "union": ("unione",), "egypt": ("egitto",), "greece": ("grecia",),
    "italy": ("italia",), "italian": ("italiano",), "kremlin": ("cremlino",), "moscow": ("mosca",),
    "kiev": ("kiev",), "kyiv": ("kiev",), "warsaw": ("varsavia",), "london": ("londra",),
}


@functools.lru_cache(maxsize=1)
def _by_stem() -> dict[str, tuple[str, ...]]:
    stemmer = Stemmer.Stemmer("english")
    table: dict[str, tuple[str, ...]] = {}
    for english, italian in GLOSSARY.items():
        if italian:
            key = fold(stemmer.stemWord(english))
            table[key] = tuple(dict.fromkeys(table.get(key, ()) + italian))
    return table


def italian_words(english_words: list[str]) -> list[str]:
    """The Italian words the glossary gives for these English words (any inflection), in order."""
    stemmer = Stemmer.Stemmer("english")
    table = _by_stem()
    found: dict[str, None] = {}
    for word in english_words:
        for italian in table.get(fold(stemmer.stemWord(word.lower())), ()):
            for part in italian.split():
                found.setdefault(part, None)
    return list(found)
