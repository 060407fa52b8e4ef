// The public face of hub/alerts/: rules, the rules file, and the evaluator.
#pragma once

#include "hub/alerts/alert_evaluator.hpp"
#include "hub/alerts/alert_rule.hpp"
#include "hub/alerts/rules_file.hpp"
