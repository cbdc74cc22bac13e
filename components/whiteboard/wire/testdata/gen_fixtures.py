# Writes fixtures.json: messages, the lines a Python 2.7 port of
# Kamaelia's EscapedListMarshalling makes of them and the lists it reads back (regular-expression
# substitution per character, as Kamaelia's escape does). Run with python2:
#   PYENV_VERSION=2.7.18 python2 gen_fixtures.py > fixtures.json
import json, re

substitutions = "\x009\x0a\x0d\x20[]"

def escape(message):
    result = re.sub("%", "%25", message)
    for x in substitutions:
        escaped_x = "%" + hex(ord(x))[2:]
        if x in '.^$*+?{}\\[]|()':
            x = '\\' + x
        result = re.sub(x, escaped_x, result)
    return result

def unescape(message):
    result = message
    for x in substitutions:
        escaped_x = "%" + hex(ord(x))[2:]
        result = re.sub(escaped_x, x, result)
    return re.sub("%25", "%", result)

def demarshall(string):
    string = string.replace("\r", "")
    if string.endswith("\n"):
        string = string[:-1]
    out = []
    outstack = []
    for item in string.split(" "):
        if len(item) and item != "\n":
            if item == "[":
                outstack.append(out)
                newout = []
                out.append(newout)
                out = newout
            elif item == "]":
                out = outstack.pop(-1)
            else:
                out.append(unescape(item))
    return out

def marshall(lst, term="\n"):
    out = ""
    for item in lst:
        if isinstance(item, (list, tuple)):
            out = out + "[ " + marshall(item, term="] ")
        else:
            out = out + escape(item) + " "
    return out + term

messages = [
    [["LINE", "0", "0", "0", "190", "29", "191", "30"]],
    [["LINE", "0", "0", "0", "1", "2", "3", "4"], ["CIRCLE", "255", "255", "255", "5", "6", "8"]],
    [["GETIMG"]],
    [["next"]],
    [["prev"]],
    [["CLEAR"]],
    ["SOUND", "\x00\x01\x02 speex"],
    [["WRITE", "100", "100", "24", "255", "255", "255", "Fetching sketch from server..."]],
    [["percent", "%", "100%", "%25", "%%"]],
    [["nul", "\x00", "a\x00b", "\x00\x00"]],
    [["nine", "9", "99", "1999", "x9y"]],
    [["lf", "\n", "a\nb"]],
    [["cr", "\r", "a\r\nb"]],
    [["space", " ", "a b", "  "]],
    [["brackets", "[", "]", "[ ]", "a[b]c"]],
    [["tab stays", "\t", "a\tb"]],
    [["all", "%\x009\n\r []\t"]],
    [["escapes look-alike", "%0", "%39", "%a", "%d", "%20", "%5b", "%5d", "%25"]],
    ["flat", "tokens", ["nested", ["deeper", "x"], "y"], "z"],
    [],
    [[]],
]

out = []
for m in messages:
    line = marshall(m)
    out.append({"message": m, "line": line, "demarshalled": demarshall(line)})
# Lines as peers send them, and what Kamaelia reads from each.
for line in ["[ LINE 1 2 3 4 5 6 7 ]\r\n", "[  LINE  1 ]  ", "[ GETIMG ]", "a%2b %zz %", "[ x [ y ] ] [ ] z"]:
    out.append({"line": line, "demarshalled": demarshall(line)})
print(json.dumps(out, indent=1))
