"""The corpus's tag and selection rules, in one reviewed list (read by layout.py; standard library only).

Tags are written the way a Freesound user would tag a sound: what is heard (the source, the action, the
material, the instrument, the kind of voice), never where the file came from. Every group below says why its
words are dropped or mapped. A word is a run of letters of a path component, split at camelCase and lower-cased
(layout.words); prepare later drops stop-words and 1-letter tokens and singularises.
"""
import re

# ---------------------------------------------------------------------------------------------------------------
# Words dropped from every path.

# Install prefixes, engine folders, "sound" itself: they say nothing about the sound.
GENERIC = set("""
usr share games game data sounds sound sfx snd audio samples sample wav wave ogg flac mp lib base default mods mod
public core commondata techs tech megapack factions faction drumkits drumkit hydrogen effects effect misc stuff global
globalmods none apoc library stklib tracks track world aircraft instruments res resources media assets common
zip pk pk3 d wz ocg ocd ocs ocf dat pak patch baseoa soundfx textures tilesets stdsounds stdmusic powers
local generic new old other others various unused test temp tmp extra extras
file files dir folder src source sources content activities activity resource explore memory contents pack packs set sets version ver final alt alternative
""".split())

# File-format, channel and encoding words: they describe the file, not the sound.
FORMAT_WORDS = set("""
mono stereo left right hz khz kbps bit bits raw aiff aif mp3 wv loop loops looped looping lp hq lq hi lo
midi pat sf sf2 orgue
""".split()) - {"hi", "lo"}  # hi/lo stay: "hi tom", "lo tom" (mapped below for the drum libraries)

# Proper names in sample-library folders (kit authors, kit names, user names): they name a source, not a sound.
NAMES = set("""
belofilms belofilm rumpf forzee millo colombo audiophob mehackit minorr cbeeching black pearl multi layered h2 kit
stereo gimme zeppelin allison daven noizemassacre zgump loofa kmoon cognito perceptu sampleoftheday gtt
""".split())

# Game names and words of the package names: a tag naming the game only teaches which package a clip came from.
PACKAGE_WORDS = set("""
ad megaglest glest hedgewars ufoai ufo ai redeclipse eclipse red wesnoth berusky freedroidrpg freedroid rpg flightgear
fg widelands lincity ng warmux trigger rally supertux supertuxkart stk tux scorched scorched3d boswars colobot lmms
tuxpaint stamps stamp sonic pi ktuberling tuberling klettres asterisk nexuiz naev warzone flare freeorion openclonk
clonk freedink dink neverball endless sky openarena arena xmoto moto freeciv civ gcompris qt freepats avldrums lv
grandorgue dirt cdda cc quark strudel
""".split())

# Factions, peoples, unit classes, engine object names: game-design labels, not sounds (0ad, megaglest, boswars,
# wesnoth, naev). "persian archer attack" is an arrow attack; the faction is a source, like a user name.
SOURCE_WORDS = set("""
persian persians norseman norsemen indian indians roman romans egypt egyptian egyptians hellenes hellene
athen athenian brit briton britons cart carthaginian carthaginians celt celts gaul gauls iber iberian iberians mace
macedonian macedonians maur mauryan mauryas pers ptol ptolemies rome sele seleucid seleucids spart spartan spartans
kush kushite han chinese greek greeks latin
unit units actor actors resource resources entity entities template templates prop props object objects npc npcs
civ civs civil civilian civilians structure structures infantry cavalry champion champions hero heroes citizen
swordman swordmen swordsman spearman spearmen pikeman pikemen
hud ui gui screen screens
pyria skadi torus specop insurrectionist reptilian carni lycan umbra nexus neko fricka desertfactory onslaught ctf
fantasycore comix olivier militon circ afrique empire sabian paiste zildjian minro flink herk robert van gran paradiso
ravenbridge remake overworld stickfighter daemon initiate archmage battlemage summoner technician behemoth anubis
princess shaman genie orni ortnok atlanteans barbarians zalek dvaered sirius collective nebu battlesomething coltive
col interfce sequenceaudio pcv fs sel con voc mon vari le tk apnee cocoa
player players enemy enemies team teams level levels map maps mission missions scenario scenarios campaign
""".split())

# Words that remain after dropping the above and still carry no sound: numbering, versions, take markers.
NOISE_WORDS = set("""
no nr num var variant variation take tk v vx ver rev mix edit cut part pt seq sq ex inst dup copy tmp xx xxx
""".split()) - {"rev"}

DROP = GENERIC | FORMAT_WORDS | NAMES | PACKAGE_WORDS | SOURCE_WORDS | NOISE_WORDS

# Path words rewritten to the word a tagger would use (after the drops; a value may hold several words).
SYNONYMS = {
    "sfx": "", "snd": "", "amb": "ambience", "ambient": "ambience", "ambiance": "ambience", "expl": "explosion",
    "explo": "explosion", "explode": "explosion", "exp": "explosion", "footstep": "footstep", "footsteps": "footstep",
    "step": "footstep", "steps": "footstep", "wpn": "weapon", "weapons": "weapon", "gun": "gun", "guns": "gun",
    "dmg": "damage", "ricochet": "ricochet", "ric": "ricochet", "env": "environment", "fx": "",
    "plmove": "footstep", "singlesteps": "footstep", "elec": "electric", "bd": "bass drum kick", "sd": "snare",
    "hh": "hihat", "perc": "percussion", "ambi": "ambience", "med": "medium", "explons": "explosion",
    "strums": "strum", "explosions": "explosion", "drums": "drum", "birds": "bird", "animals": "animal",
    "bullets": "bullet", "basses": "bass", "waveforms": "waveform", "stringsnpads": "strings pad",
    "malehurt": "male hurt", "maledeath": "male death", "swordhit": "sword hit", "waterglass": "water glass",
    "bassloops": "bass", "gathering": "gather", "lumbering": "lumber", "ingame": "",
    # compound file names split into the words a tagger would write
    "hhclosed": "hihat closed", "hhopen": "hihat open", "femaledeath": "female death", "femalehurt": "female hurt",
    "metalfootstep": "metal footstep", "breakglass": "break glass", "breakwood": "break wood",
    "bodyimpact": "body impact", "hitground": "hit ground", "birdchirp": "bird chirp", "carhorn": "car horn",
    "radiomessage": "radio message", "bossattack": "attack", "arrowfly": "arrow fly", "bassdrum": "bass drum kick",
    "fingersnap": "finger snap", "sidestick": "rimshot", "alienmachinery": "alien machinery", "jsnare": "snare",
    "rsnare": "snare", "minepump": "pump", "radclick": "radio click", "radclik": "radio click", "mstep": "footstep",
    "muted": "mute", "cattle": "cow", "bovines": "cow", "bovine": "cow", "cows": "cow",
    "windstorm": "wind storm", "snowstorm": "snow storm", "warhorse": "horse", "trnsppil": "",
}

# ---------------------------------------------------------------------------------------------------------------
# Speech: kept, tagged by what it is (speech, voice, language, the speaker's sex or age when the path says so),
# never by the words spoken (tuxpaint's cat_desc_fr.ogg is French speech, not a cat).

# Folders holding speech (any path component, case-insensitive).
SPEECH_DIRS = set("""
voice voices speech announcer voice_samples tux_ingame_comments campaigns tcas mk-viii alphabets titles storyline
tutorial tutorials math codriver taunts taunt
coms memressp cmndrvoc countdown vtoltalk missmesg
""".split())
# (coms: nexuiz players' radio calls; memressp/cmndrvoc/countdown/vtoltalk/missmesg: warzone2100's spoken
# messages, commander replies and countdowns.)
# RTS unit replies and announcements (megaglest *_select/*_ack, boswars *.ready/*.underattack/*_action ...).
SPEECH_FILES = [
    re.compile(r"(^|[_\-.])(select|selected|ack|acknowledge|ready|underattack|completed|action|annoyed|help)"
               r"[_\-.\d]*\.(ogg|wav|flac|mp3)$"),
]
# Whole packages or package folders that are speech (package, path prefix).
SPEECH_PREFIXES = [
    ("ktuberling-data", "usr/share/ktuberling/sounds/"),   # spoken object words, sounds/<lang>/<word>.ogg
    ("klettres-data", "usr/share/klettres/"),              # spoken letters and syllables, <lang>/alpha|syllab
    ("asterisk-core-sounds-en-wav", "usr/share/asterisk/sounds/"),  # telephone prompts, en_US_f_Allison
]
# Tuxpaint's spoken stamp descriptions: <stamp>_desc_<lang>.ogg, English without the suffix.
TUXPAINT_DESC = re.compile(r"_desc(?:_([a-z]{2,3}(?:_[a-z]{2})?(?:@[a-z]+)?))?\.(ogg|wav)$", re.I)
# They are ~7,500 files in 13 languages of ~900 each: only these 10 languages (English has only 66; Catalan,
# Romanian and Malayalam are left out), and at most SPEECH_PER_LANGUAGE clips of each, so that one voice-over set
# does not swamp the corpus.
TUXPAINT_LANGUAGES = ["en", "fr", "es", "ru", "el", "da", "lt", "nl", "bg", "be"]
# At most this many clips per language of these speech sources (every n-th in path order): tuxpaint's descriptions,
# klettres' letters and syllables (Malayalam alone has 521).
SPEECH_PER_LANGUAGE = {"tuxpaint-stamps-default": 200, "klettres-data": 100}

# Language codes (folder names, file suffixes, locale folders such as en_US or sr@latin) and language names.
LANGUAGES = {
    "ar": "arabic", "be": "belarusian", "bg": "bulgarian", "ca": "catalan", "cs": "czech", "da": "danish",
    "de": "german", "el": "greek", "en": "english", "es": "spanish", "fi": "finnish", "fr": "french", "ga": "irish",
    "gl": "galician", "he": "hebrew", "hu": "hungarian", "it": "italian", "ja": "japanese", "lt": "lithuanian",
    "ml": "malayalam", "nb": "norwegian", "nds": "low german", "nl": "dutch", "pl": "polish", "pt": "portuguese",
    "ro": "romanian", "ru": "russian", "sl": "slovenian", "sr": "serbian", "sv": "swedish", "tn": "tswana",
    "uk": "ukrainian", "wa": "walloon", "zh": "chinese", "ko": "korean", "tr": "turkish",
}
LANGUAGE_NAMES = set(" ".join(LANGUAGES.values()).split()) | {"english", "german", "french", "russian", "czech"}
# Speaker words in a speech path, mapped to the tag (sex and age are heard).
SPEAKER_WORDS = {
    "male": "male", "man": "male", "men": "male", "m": "male", "female": "female", "woman": "female",
    "women": "female", "f": "female", "girl": "female child", "boy": "male child", "child": "child",
    "children": "child", "kid": "child", "kids": "child", "baby": "child", "old": "old",
}
# Words kept from a speech path besides language and speaker: the manner of speaking, which is heard.
SPEECH_MANNER = {"whisper", "shout", "shouting", "scream", "yell", "laugh", "laughing", "cry", "sing", "singing",
                 "robot", "robotic", "radio", "telephone", "angry", "happy", "sad", "taunt",
                 # hedgewars' voice packs: accents and characters played by the voice actor, which are heard
                 "british", "hillbilly", "mobster", "pirate", "singer", "surfer"}
# Speech folders that hold no speech.
NOT_SPEECH_DIRS = {"silence"}

# ---------------------------------------------------------------------------------------------------------------
# Music: game music tracks, cut into up to MUSIC_PIECES pieces of MUSIC_PIECE_SECONDS spread evenly over the track,
# tagged "music" plus the meaningful words of the path.

MUSIC_DIRS = {"music", "musics", "ingame", "menu_music", "soundtrack", "songs", "song", "bgm"}
MUSIC_PIECES = 6
MUSIC_PIECE_SECONDS = 10.0
# Anything else longer than this (ambience loops, long effects) is cut the same way, tagged by its path words.
LONG_SECONDS = 60.0
MIN_SECONDS = 0.1

# ---------------------------------------------------------------------------------------------------------------
# Dirt-Samples (tidalcycles): terse folder names mapped to words. Folders not listed are left out (no meaningful
# name: ab/ade/alex/... are user or kit names whose content is mixed). 808*/909* are never used: they repeat the
# drum machines of the evaluation task (build.sh removes them).
DIRT_FOLDERS = {
    "ab": "drum", "alphabet": "speech voice english", "amencutup": "drum break", "armora": "arcade retro",
    "arp": "synth arpeggio", "arpy": "synth arpeggio", "auto": "drum", "baa": "sheep", "baa2": "sheep",
    "bass": "bass synth", "bass0": "bass synth", "bass1": "bass synth", "bass2": "bass synth", "bass3": "bass synth",
    "bassdm": "bass drum kick", "bassfoo": "bass synth", "battles": "explosion", "bd": "bass drum kick",
    "bend": "synth", "bin": "metal", "birds": "bird", "birds3": "bird", "bleep": "synth bleep", "blip": "synth blip",
    "bottle": "bottle glass", "breaks125": "drum break", "breaks152": "drum break", "breaks157": "drum break",
    "breaks165": "drum break", "breath": "breath", "bubble": "bubble water", "can": "can metal",
    "casio": "synth", "cb": "cowbell", "cc": "crash cymbal", "chin": "click", "circus": "arcade retro",
    "clak": "click", "click": "click", "clubkick": "bass drum kick", "co": "hihat open",
    "coins": "coin metal", "cosmicg": "arcade retro", "cp": "clap", "cr": "ride cymbal", "crow": "crow bird",
    "d": "drum", "db": "drum", "diphone": "speech synthesized", "diphone2": "speech synthesized", "dist": "drum distorted",
    "dr": "drum", "dr2": "drum machine", "dr55": "drum machine", "dr_few": "drum", "drum": "drum",
    "drumtraks": "drum machine", "e": "drum electronic", "east": "percussion", "electro1": "drum electronic",
    "em2": "synth", "feel": "drum", "feelfx": "synth", "fire": "fire", "flick": "click", "fm": "synth",
    "foo": "drum break", "future": "drum electronic", "gab": "speech voice", "gabba": "bass drum kick distorted",
    "gabbaloud": "bass drum kick distorted", "gabbalouder": "bass drum kick distorted", "glasstap": "glass tap",
    "glitch": "glitch", "glitch2": "glitch", "gretsch": "drum", "gtr": "guitar electric", "hand": "clap",
    "hardcore": "drum electronic", "hardkick": "bass drum kick distorted", "haw": "drum", "hc": "hihat closed",
    "hh": "hihat", "hh27": "hihat", "hit": "synth", "hmm": "voice", "ho": "hihat open", "hoover": "synth",
    "house": "drum electronic", "ht": "tom high", "ifdrums": "drum", "incoming": "drum electronic",
    "industrial": "industrial metal", "insect": "insect", "invaders": "arcade retro", "jazz": "drum", "jungbass": "bass synth",
    "jungle": "drum", "juno": "synth", "jvbass": "bass synth", "kicklinn": "bass drum kick", "koy": "voice",
    "latibro": "synth", "less": "drum", "lighter": "lighter", "linnhats": "hihat", "lt": "tom low",
    "metal": "metal", "moog": "synth", "mouth": "mouth voice", "mt": "tom mid", "mute": "bass",
    "newnotes": "synth", "noise": "noise", "noise2": "noise", "notes": "synth", "num": "speech voice number",
    "numbers": "speech voice number", "oc": "hihat", "odx": "drum", "outdoor": "outdoor ambience", "pad": "synth pad",
    "perc": "percussion", "peri": "drum", "pluck": "bass pluck", "popkick": "bass drum kick", "print": "printer",
    "psr": "synth", "realclaps": "clap", "reverbkick": "bass drum kick reverb", "rm": "rimshot",
    "rs": "rimshot", "sax": "saxophone", "sd": "snare", "seawolf": "arcade retro", "sequential": "drum machine",
    "sheffield": "insect", "short": "drum", "sid": "synth", "simplesine": "sine tone", "sitar": "sitar",
    "sn": "snare", "space": "synth", "speakspell": "speech synthesized", "speech": "speech voice",
    "speechless": "voice", "stab": "synth stab", "stomp": "stomp", "subroc3d": "arcade retro", "sugar": "animal",
    "sundance": "arcade retro", "tabla": "tabla percussion", "tabla2": "tabla percussion", "tablex": "tabla percussion",
    "tacscan": "arcade retro", "tech": "drum electronic", "techno": "drum electronic", "tink": "metal",
    "tok": "wood", "toys": "toy", "trump": "trumpet", "ul": "synth", "ulgab": "speech voice", "v": "synth",
    "voodoo": "drum", "wind": "wind", "world": "drum", "xmas": "speech voice", "yeah": "voice",
}
# Dirt-Samples folders that repeat drum machines of the evaluation task (ritchse/tidal-drum-machines): the 808*/909*
# folders (build.sh removes them) and those /work/corpus-data/drums/holdout.txt lists (drumtraks, kicklinn,
# linnhats), plus the folders named after another machine of that set (dr55: Boss DR-55, dr2: Boss DR-110,
# sequential: Sequential Circuits Tom). layout.py also reads --holdout FILE ("Dirt-Samples/<folder>" lines).
DIRT_HOLDOUT = {"drumtraks", "kicklinn", "linnhats", "dr55", "dr2", "sequential"}

# Words of Dirt-Samples file names worth keeping (mapped), for the drum-kit folders whose files are named by hit.
DIRT_FILE_WORDS = {
    "closedhh": "hihat closed", "openhh": "hihat open", "hh": "hihat", "hihat": "hihat", "hat": "hihat",
    "ohh": "hihat open", "chh": "hihat closed", "crash": "crash cymbal", "ride": "ride cymbal", "cymbal": "cymbal",
    "kick": "bass drum kick", "bd": "bass drum kick", "snare": "snare", "sd": "snare", "sn": "snare",
    "clap": "clap", "claps": "clap", "cp": "clap", "rim": "rimshot", "rimshot": "rimshot", "tom": "tom",
    "cowbell": "cowbell", "cb": "cowbell", "cabasa": "cabasa shaker", "shaker": "shaker", "tambourine": "tambourine",
    "tamb": "tambourine", "conga": "conga", "bongo": "bongo", "brush": "brush", "perc": "percussion",
    "explosion": "explosion", "explsion": "explosion", "explo": "explosion", "laser": "laser", "beep": "beep",
    "chopper": "helicopter", "bounce": "bounce", "pop": "pop", "laughter": "laughter", "bark": "dog bark",
    "crab": "crab", "wood": "wood", "block": "block", "whip": "whip", "torpedo": "torpedo",
    "bass": "bass", "sitar": "sitar", "chord": "chord", "wind": "wind", "crow": "crow", "bubble": "bubble",
}

# GrandOrgue's demo organ: every pipe is "pipe organ" plus its stop (folder Bourdon8, FlHarm8...), named as heard.
ORGAN_STOPS = {"bourdon": "bourdon flute", "flharm": "flute harmonic", "gamba": "gamba string", "hautbois": "oboe reed",
               "montre": "principal", "octavin": "flute piccolo"}

# ---------------------------------------------------------------------------------------------------------------
# Licences of the non-Debian sources (Debian packages: read from their copyright file).
SOURCE_LICENCES = {
    "dirt-samples": "no repository licence; folders carry their own notes (github.com/tidalcycles/Dirt-Samples)",
    "cdda-cc-sounds": "CC-BY-SA-4.0 (Freesound sources CC0/CC-BY, see sound/CC-Sounds/credits.md)",
}
