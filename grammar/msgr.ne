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

# Lists are left-recursive and grow in place: Earley extends each partial list exactly once in
# this unambiguous grammar, so building a list of n items costs O(n), not O(n²).
items       -> null                                         {% () => [] %}
             | itemList                                     {% id %}
itemList    -> item                                         {% b.first %}
             | itemList %nl item                            {% b.append %}

item        -> "description" %string                        {% b.description %}
             | "network" name "=" members                   {% b.network %}
             | "server" name "{" serverStmts "}"            {% b.server %}
             | "clients" name "{" clientsStmts "}"          {% b.clients %}
             | "firewall" name "{" firewallStmts "}"        {% b.firewall %}

members     -> member                                       {% b.first %}
             | members "," member                           {% b.append %}
member      -> name                                         {% b.memberName %}
             | address                                      {% b.memberAddress %}

serverStmts -> null                                         {% () => [] %}
             | serverList                                   {% id %}
serverList  -> serverStmt                                   {% b.first %}
             | serverList %nl serverStmt                    {% b.append %}
serverStmt  -> "sip" name                                   {% b.sip %}
             | "sip" name "port" number                     {% b.sip %}

clientsStmts -> null                                        {% () => [] %}
             | clientsList                                  {% id %}
clientsList -> clientsStmt                                  {% b.first %}
             | clientsList %nl clientsStmt                  {% b.append %}
clientsStmt -> "server" name "via" name                     {% b.clientsServer %}
             | "features" names                             {% b.features %}
             | "sip" "dynamic" "ports" range                {% b.sipDynamicPorts %}
             | "media" "ports" range                        {% b.mediaPorts %}
             | "peers" names                                {% b.peers %}
             | "client" name                                {% b.client %}

firewallStmts -> null                                       {% () => [] %}
             | firewallList                                 {% id %}
firewallList -> firewallStmt                                {% b.first %}
             | firewallList %nl firewallStmt                {% b.append %}
firewallStmt -> "on" name                                   {% b.on %}
             | "between" names "and" name                   {% b.between %}
             | "targets" names                              {% b.targets %}
             | "default" name                               {% b.defaultAction %}
             | "outbound" name                              {% b.outbound %}
             | "others" name                                {% b.others %}
             | "log" "denied"                               {% b.logDenied %}
             | ruleAction name ports ruleEnds               {% b.rule %}
             | ruleAction name names ruleEnds               {% b.typedRule %}

ruleAction  -> "allow"                                      {% id %}
             | "deny"                                       {% id %}
ports       -> null                                         {% () => [] %}
             | rangeList                                    {% id %}
rangeList   -> range                                        {% b.first %}
             | rangeList "," range                          {% b.append %}
# A rule's ends: networks and addresses, as in a `network` statement (`from admins, 10.9.0.0/24`).
ruleEnds    -> "from" members                               {% b.fromOnly %}
             | "to" members                                 {% b.toOnly %}
             | "from" members "to" members                  {% b.fromTo %}

names       -> name                                         {% b.first %}
             | names "," name                               {% b.append %}
range       -> number                                       {% b.range %}
             | number "-" number                            {% b.range %}

name        -> %word                                        {% b.name %}
number      -> %number                                      {% b.number %}
address     -> %ipv4                                        {% b.name %}
             | %ipv6                                        {% b.name %}
