# maven:*-eclipse-temurin-* stand-in: the real Apache Maven distribution (from Maven Central) in
# /usr/share/maven on the eclipse-temurin JDK stand-in, as in the official image.
ARG FROM
FROM ${FROM}
ARG MAVEN_VERSION
COPY maven/ /usr/share/maven/
ENV MAVEN_HOME=/usr/share/maven \
    MAVEN_CONFIG=/root/.m2
RUN ln -s /usr/share/maven/bin/mvn /usr/bin/mvn \
    && mvn --version
CMD ["mvn"]
