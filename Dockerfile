# The portal's image: one image for the web server (gunicorn), the Celery worker and beat.
# See docker-compose.yml; the settings come from the environment (.env.example).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONPATH=/app \
    VAR_DIR=/var/lib/governance \
    STATIC_ROOT=/app/staticfiles

RUN groupadd --system --gid 1000 portal \
    && useradd --system --uid 1000 --gid portal --create-home --home-dir /home/portal \
        --shell /usr/sbin/nologin portal

WORKDIR /app

# The dependencies first, read from pyproject.toml: this layer is rebuilt only when
# pyproject.toml changes, not on every code change.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The project. It runs from /app (on PYTHONPATH, with templates/, static/ and locale/
# next to the apps); the editable install records it as an installed distribution.
# collectstatic puts the static files into the image (WhiteNoise serves them, hashed
# names, compressed); its SECRET_KEY exists for that command only, the real one comes
# from the environment at run time.
COPY . .
RUN pip install --no-deps -e . \
    && DEBUG=0 SECRET_KEY=build-only-dummy-secret-key-never-used-at-run-time-0123456789 \
        python manage.py collectstatic --noinput \
    && mkdir -p "$VAR_DIR/media" \
    && chown -R portal:portal "$VAR_DIR" "$STATIC_ROOT"

USER portal
EXPOSE 8000
# Workers: WEB_CONCURRENCY (gunicorn reads it), default 1.
CMD ["gunicorn", "governance.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
