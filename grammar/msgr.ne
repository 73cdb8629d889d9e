# The .msgr language. Build: `npm run build:grammar` writes src/parse/grammar.generated.ts.
# Keywords are matched by value ("network"), names by token type (%word), so a keyword may also
# be used as a name (`clients clients { … }`).
@preprocessor typescript
@{%
import { lexer } from './lexer.js';
import * as b from './build.js';
%}
@lexer lexer

main        -> deployment                                   {% id %}

deployment  -> "deployment" name "{" items "}"              {% b.deployment %}

items       -> null                                         {% () => [] %}
             | item (%nl item):*                            {% b.list %}

item        -> "description" %string                        {% b.description %}
             | "network" name "=" member ("," member):*     {% b.network %}
             | "server" name "{" serverStmts "}"            {% b.server %}
             | "clients" name "{" clientsStmts "}"          {% b.clients %}
             | "firewall" name "{" firewallStmts "}"        {% b.firewall %}

member      -> name                                         {% b.memberName %}
             | address                                      {% b.memberAddress %}

serverStmts -> null                                         {% () => [] %}
             | serverStmt (%nl serverStmt):*                {% b.list %}
serverStmt  -> "sip" name                                   {% b.sip %}
             | "sip" name "port" number                     {% b.sip %}

clientsStmts -> null                                        {% () => [] %}
             | clientsStmt (%nl clientsStmt):*              {% b.list %}
clientsStmt -> "server" name "via" name                     {% b.clientsServer %}
             | "features" names                             {% b.features %}
             | "sip" "dynamic" "ports" range                {% b.sipDynamicPorts %}
             | "media" "ports" range                        {% b.mediaPorts %}
             | "peers" names                                {% b.peers %}
             | "client" name                                {% b.client %}

firewallStmts -> null                                       {% () => [] %}
             | firewallStmt (%nl firewallStmt):*            {% b.list %}
firewallStmt -> "on" name                                   {% b.on %}
             | "between" name "and" name                    {% b.between %}
             | "targets" names                              {% b.targets %}
             | "default" name                               {% b.defaultAction %}
             | "outbound" name                              {% b.outbound %}
             | "log" "denied"                               {% b.logDenied %}
             | ruleAction name ports ruleEnds               {% b.rule %}

ruleAction  -> "allow"                                      {% id %}
             | "deny"                                       {% id %}
ports       -> null                                         {% () => [] %}
             | range ("," range):*                          {% b.commaList %}
ruleEnds    -> "from" name                                  {% b.fromOnly %}
             | "to" name                                    {% b.toOnly %}
             | "from" name "to" name                        {% b.fromTo %}

names       -> name ("," name):*                            {% b.commaList %}
range       -> number                                       {% b.range %}
             | number "-" number                            {% b.range %}

name        -> %word                                        {% b.name %}
number      -> %number                                      {% b.number %}
address     -> %ipv4                                        {% b.name %}
             | %ipv6                                        {% b.name %}
