"""UNO bridge for `office.WarmConverter`: run by a Python that can `import uno` (Debian's python3-uno).

Not imported by the pipeline: `WarmConverter` starts it as a child process, because the project's
virtual environment may use another Python build than the one python3-uno was compiled for.
Protocol (one JSON object per line): it prints {"ready": true} once soffice answers, then for each
request {"src": URL, "dst": URL, "filter": NAME, "import_filter": NAME|""} on stdin prints {"ok": true} or {"ok": false, "error": str}.
End of stdin terminates soffice and exits. Documents are opened hidden, read-only, macros never run.

usage: python3 office_bridge.py SOFFICE PROFILE_URL
"""
import json
import os
import subprocess
import sys
import time


def _props(**kw):
    from com.sun.star.beans import PropertyValue
    out = []
    for k, v in kw.items():
        p = PropertyValue()
        p.Name, p.Value = k, v
        out.append(p)
    return tuple(out)


def main() -> int:
    import uno
    from com.sun.star.connection import NoConnectException

    soffice, profile = sys.argv[1], sys.argv[2]
    pipe = f"plandoc_{os.getpid()}"
    office = subprocess.Popen([soffice, f"-env:UserInstallation={profile}", "--headless", "--invisible",
                               "--nologo", "--norestore", "--nodefault", "--nolockcheck",
                               f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    ctx = None
    deadline = time.monotonic() + 60
    while ctx is None:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if office.poll() is not None or time.monotonic() > deadline:
                print(json.dumps({"ready": False}), flush=True)
                return 1
            time.sleep(0.1)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    print(json.dumps({"ready": True}), flush=True)
    try:
        for line in sys.stdin:
            req = json.loads(line)
            doc = None
            try:
                load = dict(Hidden=True, ReadOnly=True, MacroExecutionMode=0, UpdateDocMode=0, Silent=True)
                if req.get("import_filter"):
                    load["FilterName"] = req["import_filter"]
                doc = desktop.loadComponentFromURL(req["src"], "_blank", 0, _props(**load))
                if doc is None:
                    raise RuntimeError("LibreOffice could not load the document")
                doc.storeToURL(req["dst"], _props(FilterName=req["filter"], Overwrite=True))
                reply = {"ok": True}
            except Exception as e:  # report and keep serving
                reply = {"ok": False, "error": f"{type(e).__name__}: {e}"}
            finally:
                if doc is not None:
                    try:
                        doc.close(True)
                    except Exception:
                        pass
            print(json.dumps(reply), flush=True)
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            office.wait(timeout=10)
        except subprocess.TimeoutExpired:
            office.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
