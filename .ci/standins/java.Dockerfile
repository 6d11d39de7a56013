# eclipse-temurin:* stand-in: Debian's OpenJDK (headless JRE or JDK) at /opt/java/openjdk as in
# the official image, its trust store made from the system's CA certificates.
ARG FROM
FROM ${FROM}
ARG JAVA
ARG KIND=jdk
ENV JAVA_HOME=/opt/java/openjdk \
    LANG=C.UTF-8 \
    PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# Manual page folders the JDK's post-install links into (the slim base excludes manual pages).
RUN mkdir -p /usr/share/man/man1 \
    && apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       "openjdk-${JAVA}-${KIND}-headless" ca-certificates-java tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && update-ca-certificates -f \
    && mkdir -p /opt/java \
    && ln -s "/usr/lib/jvm/java-${JAVA}-openjdk-amd64" /opt/java/openjdk \
    && java -version
