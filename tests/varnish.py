"""A real varnishd for tests and benchmarks, running deploy/varnish/default.vcl in front of a test's gunicorn.

The VCL is rendered with the backend's port and the test's purge ACL substituted (the only two lines that name a
deployment's addresses), into a scratch folder that is also varnishd's working directory.
"""

import glob
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.servers import REPO, Browser, free_port, stop_process

VARNISHD = "/usr/sbin/varnishd"
VCL = REPO / "deploy" / "varnish" / "default.vcl"


def varnishd_missing() -> str:
    """Why Varnish tests cannot run here, or '' when they can."""
    if not Path(VARNISHD).exists():
        return "varnishd is not installed (Debian: apt-get install varnish varnish-modules; .ci/run installs them)"
    if not glob.glob("/usr/lib/*/varnish/vmods/libvmod_xkey.so"):
        return "vmod xkey is not installed (Debian: apt-get install varnish-modules; .ci/run installs it)"
    return ""


def render_vcl(backend_port: int, purgers: tuple[str, ...] = ("127.0.0.1",)) -> str:
    vcl = VCL.read_text()
    vcl, ports = re.subn(r'\.port = "\d+";', f'.port = "{backend_port}";', vcl, count=1)
    acl = "acl purgers {\n" + "".join(f'    "{address}";\n' for address in purgers) + "}"
    vcl, acls = re.subn(r"acl purgers \{[^}]*\}", acl, vcl, count=1)
    assert ports == acls == 1, "deploy/varnish/default.vcl no longer has the backend port or ACL the tests set"
    return vcl


class Varnish:
    def __init__(self, backend_port: int, *, purgers=("127.0.0.1",), addresses=("127.0.0.1",), port=None):
        self.backend_port, self.purgers, self.addresses = backend_port, tuple(purgers), tuple(addresses)
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.workdir: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> "Varnish":
        self.workdir = Path(tempfile.mkdtemp(prefix="oncosite-varnish-"))
        self.workdir.chmod(0o755)  # varnishd's child runs as its own unprivileged user
        vcl = self.workdir / "default.vcl"
        vcl.write_text(render_vcl(self.backend_port, self.purgers))
        vcl.chmod(0o644)
        command = [VARNISHD, "-F", "-f", str(vcl), "-n", str(self.workdir / "n"), "-s", "malloc,64m"]
        for address in self.addresses:
            command += ["-a", f"{address}:{self.port}"]
        self.process = subprocess.Popen(  # noqa: S603 - fixed command
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"varnishd exited: {self.process.stderr.read().decode()[-2000:]}")
            try:
                Browser(self.url).get("/healthz")
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("varnishd did not answer in time")

    def stop(self) -> None:
        stop_process(self.process)
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
