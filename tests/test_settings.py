"""Settings come from the environment; production refuses unsafe ones."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, env):
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env={
            "DEBUG": "0",
            "SECRET_KEY": "x7#Kq2!vLr9@pZt4$Wm8^Bn3&Yc6*Hf1(Dj5)Gs0_Ua-Ee+Ri=To~Pl;Ok:Ij",
            "ALLOWED_HOSTS": "portal.example.org",
            "VAR_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_manage("check", env={"DEBUG": "0", "VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_language_and_time_zone_defaults():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]
