# Stand-in for nginx:1.27-alpine, from Debian's nginx (1.22): the server blocks of
# /etc/nginx/conf.d/*.conf only (compose.yaml mounts deploy/nginx.conf there), logs to the
# container's output, in the foreground.
ARG DEBIAN=open311-local/debian:bookworm
FROM ${DEBIAN}
RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default \
    && ln -sf /dev/stdout /var/log/nginx/access.log \
    && ln -sf /dev/stderr /var/log/nginx/error.log
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
