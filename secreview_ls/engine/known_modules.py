"""Public names of well-known modules, for resolving ``from module import *``.

Only modules whose names matter to security checks are listed, and only the
names that matter; an unlisted name stays unresolved (a plain local).
The analyzer never imports the modules it reasons about.
"""

from __future__ import annotations

STAR_EXPORTS: dict[str, frozenset[str]] = {
    "os": frozenset(
        "system popen execl execle execlp execlpe execv execve execvp execvpe spawnl spawnle "
        "spawnlp spawnlpe spawnv spawnve spawnvp spawnvpe startfile chmod chown remove unlink "
        "rename replace mkdir makedirs rmdir removedirs open fdopen listdir scandir walk "
        "getenv putenv environ tempnam tmpnam path".split()
    ),
    "os.path": frozenset("join abspath realpath normpath basename dirname exists".split()),
    "subprocess": frozenset(
        "Popen call check_call check_output run getoutput getstatusoutput PIPE STDOUT DEVNULL".split()
    ),
    "pickle": frozenset("load loads dump dumps Unpickler Pickler".split()),
    "cPickle": frozenset("load loads Unpickler".split()),
    "marshal": frozenset("load loads".split()),
    "shelve": frozenset(["open"]),
    "yaml": frozenset(
        "load load_all full_load full_load_all unsafe_load unsafe_load_all safe_load "
        "safe_load_all Loader FullLoader UnsafeLoader SafeLoader CSafeLoader CLoader BaseLoader".split()
    ),
    "hashlib": frozenset("md5 sha1 sha224 sha256 sha384 sha512 new pbkdf2_hmac".split()),
    "random": frozenset(
        "random randint randrange choice choices shuffle sample uniform getrandbits triangular".split()
    ),
    "tempfile": frozenset("mktemp mkstemp mkdtemp NamedTemporaryFile TemporaryFile".split()),
    "xml.etree.ElementTree": frozenset("parse fromstring XML XMLParser iterparse XMLPullParser".split()),
    "xml.etree.cElementTree": frozenset("parse fromstring XML XMLParser iterparse".split()),
    "xml.dom.minidom": frozenset("parse parseString".split()),
    "xml.dom.pulldom": frozenset("parse parseString".split()),
    "xml.sax": frozenset("parse parseString make_parser".split()),
    "lxml.etree": frozenset("parse fromstring XML XMLParser iterparse XSLT".split()),
    "telnetlib": frozenset(["Telnet"]),
    "ftplib": frozenset(["FTP"]),
    "ssl": frozenset(
        "wrap_socket create_default_context _create_unverified_context PROTOCOL_SSLv2 "
        "PROTOCOL_SSLv3 PROTOCOL_TLSv1 PROTOCOL_TLSv1_1 CERT_NONE SSLContext".split()
    ),
    "urllib.request": frozenset("urlopen Request urlretrieve build_opener".split()),
    "requests": frozenset("get post put patch delete head options request Session".split()),
    "flask": frozenset(
        "Flask request redirect make_response render_template_string Markup send_file "
        "send_from_directory session jsonify".split()
    ),
    "jinja2": frozenset("Environment Template Markup".split()),
    "markupsafe": frozenset("Markup escape".split()),
    "django.utils.safestring": frozenset("mark_safe SafeString".split()),
    "Crypto.Cipher": frozenset("AES DES DES3 ARC2 ARC4 Blowfish XOR".split()),
    "Crypto.Hash": frozenset("MD2 MD4 MD5 SHA".split()),
    "paramiko": frozenset("SSHClient AutoAddPolicy WarningPolicy".split()),
    "socket": frozenset("socket".split()),
    "sys": frozenset("argv stdin".split()),
    "builtins": frozenset("eval exec compile open input __import__".split()),
}
