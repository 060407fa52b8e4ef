// The public face of hub/alerts/: rules, the rules file, the evaluator, and
// the hub's shared book of them.
#pragma once

#include "hub/alerts/alert_api.hpp"
#include "hub/alerts/alert_book.hpp"
#include "hub/alerts/alert_evaluator.hpp"
#include "hub/alerts/alert_json.hpp"
#include "hub/alerts/alert_rule.hpp"
#include "hub/alerts/notify_target.hpp"
#include "hub/alerts/rules_file.hpp"
