#include "verify/dbt_verifier.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "verify/dbt_model.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

// A small shop's dbt project, written for this test: three staging models over three
// sources (the import-CTE pattern, config, Jinja and SQL comments, a CRLF file without a
// final newline) and a customers model that refs all three.
const char* kStgOrders =
    "{{ config(materialized='view') }}\n"
    "-- one row per order\n"
    "with source as (select * from {{ source('shop', 'orders') }}),\n"
    "renamed as (\n"
    "    select\n"
    "        id as order_id,\n"
    "        user_id as customer_id,\n"
    "        order_date,   /* the day it was placed */\n"
    "        status\n"
    "    from source\n"
    ")\n"
    "select * from renamed\n";
const char* kStgPayments =
    "select id as payment_id, order_id, payment_method,\r\n"
    "  amount / 100.0 as amount  -- cents to dollars\r\n"
    "from {{ source('shop', 'payments') }}";
const char* kStgCustomers =
    "with source as (\n    select * from {{ source('shop', 'customers') }}\n),\n"
    "renamed as (\n    select id as customer_id, first_name, last_name from source\n)\nselect * from renamed\n";
const char* kCustomers =
    "{# customers with their orders and lifetime value #}\n"
    "with customers as (select * from {{ ref('stg_customers') }}),\n"
    "orders as (select * from {{ ref('stg_orders') }}),\n"
    "payments as (select * from {{ ref('stg_payments') }}),\n"
    "customer_orders as (\n"
    "  select customer_id, min(order_date) as first_order, count(order_id) as number_of_orders\n"
    "  from orders group by customer_id\n"
    "),\n"
    "customer_payments as (\n"
    "  select orders.customer_id, sum(amount) as total_amount\n"
    "  from payments left join orders on payments.order_id = orders.order_id\n"
    "  group by orders.customer_id\n"
    ")\n"
    "select customers.customer_id, customers.first_name, customer_orders.first_order,\n"
    "  customer_orders.number_of_orders, customer_payments.total_amount as lifetime_value\n"
    "from customers\n"
    "left join customer_orders on customers.customer_id = customer_orders.customer_id\n"
    "left join customer_payments on customers.customer_id = customer_payments.customer_id\n";

class ShopProject {
 public:
  ShopProject() : dir_(fs::temp_directory_path() / ("gaggle-dbt-" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
    Write("analytics/dbt_project.yml", "name: 'corner_shop'\nversion: '1.0'\nmodel-paths: [\"models\"]\n");
    Write("analytics/models/staging/sources.yml",
          "version: 2\nsources:\n  - name: shop\n    schema: raw\n    tables:\n      - name: customers\n"
          "      - name: orders\n        meta: {gaggle_dataset: raw.orders}\n      - name: payments\n");
    Write("analytics/models/staging/stg_orders.sql", kStgOrders);
    Write("analytics/models/staging/stg_payments.sql", kStgPayments);
    Write("analytics/models/staging/stg_customers.sql", kStgCustomers);
    Write("analytics/models/customers.sql", kCustomers);
    Write("data/customers.csv", "id,first_name,last_name\n1,Ann,A\n2,Bo,B\n3,Cy,C\n4,Di,D\n");
    std::string orders = "id,user_id,order_date,status\n", renamed = "id,customer_ref,ordered_on,status\n";
    std::string payments = "id,order_id,payment_method,amount\n", cents = "id,order_id,payment_method,amount_cents\n";
    std::string dollars = cents;  // the planted unit change: dollars where cents were
    for (int i = 1; i <= 8; ++i) {
      const std::string row = std::to_string(i) + "," + std::to_string(1 + i % 3) + ",2024-0" +
                              std::to_string(1 + i % 4) + "-1" + std::to_string(i) + "," +
                              (i % 2 ? "shipped" : "placed") + "\n";
      orders += row;
      renamed += row;
      const std::string pay = std::to_string(i) + "," + std::to_string(i) + "," + (i % 2 ? "card" : "coupon") + ",";
      payments += pay + std::to_string(i * 250) + "\n";
      cents += pay + std::to_string(i * 250) + "\n";
      dollars += pay + std::to_string(i * 250 / 100) + "\n";
    }
    Write("data/orders.csv", orders);
    Write("data/orders_v2.csv", renamed);
    Write("data/payments.csv", payments);
    Write("data/payments_v2.csv", cents);
    Write("data/payments_bad.csv", dollars);
  }
  ~ShopProject() { fs::remove_all(dir_); }
  std::string Path(const std::string& rel) const { return (dir_ / rel).string(); }
  void Write(const std::string& rel, const std::string& text) const {
    fs::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel, std::ios::binary) << text;
  }

  std::map<std::string, DbtSourceData> Sources(const std::string& payments_new) const {
    std::map<std::string, DbtSourceData> s;
    s["shop.customers"].old_path = Path("data/customers.csv");
    DbtSourceData& o = s["shop.orders"];
    o.old_path = Path("data/orders.csv");
    o.new_path = Path("data/orders_v2.csv");
    o.change.renamed = {{"user_id", "customer_ref"}, {"order_date", "ordered_on"}};
    DbtSourceData& p = s["shop.payments"];
    p.old_path = Path("data/payments.csv");
    p.new_path = Path(payments_new);
    p.change.renamed = {{"amount", "amount_cents"}};
    return s;
  }

 private:
  fs::path dir_;
};

const DbtModelCheck* Find(const DbtVerification& v, const std::string& model) {
  for (const DbtModelCheck& m : v.models) {
    if (m.model == model) return &m;
  }
  return nullptr;
}

TEST(DbtVerifierTest, ReadsTheProject) {
  ShopProject shop;
  auto p = LoadDbtProject(shop.Path("analytics"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->name, "corner_shop");
  ASSERT_EQ(p->models.size(), 4u);
  EXPECT_EQ(p->models[0].path, "models/customers.sql");
  EXPECT_EQ(p->models[3].name, "stg_payments");
  ASSERT_EQ(p->sources.size(), 3u);
  const DbtSourceTable* orders = p->FindSource("shop", "orders");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(orders->schema, "raw");
  EXPECT_EQ(DbtSourceDataset(*orders, {"raw.payments"}), "raw.orders");  // meta.gaggle_dataset
  EXPECT_EQ(DbtSourceDataset(*p->FindSource("shop", "payments"), {"x", "RAW.PAYMENTS"}), "RAW.PAYMENTS");
  EXPECT_EQ(DbtSourceDataset(*p->FindSource("shop", "customers"), {"x"}), "");
  EXPECT_FALSE(LoadDbtProject(shop.Path("data")).ok());
}

TEST(DbtVerifierTest, RewritesModelsInPlaceAndProvesThem) {
  ShopProject shop;
  auto p = LoadDbtProject(shop.Path("analytics"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  DbtVerifyOptions o;
  o.path_prefix = "analytics/";
  auto v = VerifyDbtProject(*p, shop.Sources("data/payments_v2.csv"), o);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  for (const DbtModelCheck& m : v->models)
    EXPECT_EQ(m.outcome, QueryCheck::Outcome::kMatched) << m.model << ": " << m.reason;
  EXPECT_TRUE(v->passed()) << v->Summary();
  EXPECT_EQ(v->Summary(), "4 models verified: 4 same answer");
  // Ref order: the staging models before customers.
  ASSERT_EQ(v->models.size(), 4u);
  EXPECT_EQ(v->models.back().model, "customers");
  const DbtModelCheck* orders = Find(*v, "stg_orders");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(orders->rewrite.text,
            "{{ config(materialized='view') }}\n"
            "-- one row per order\n"
            "with source as (select * from {{ source('shop', 'orders') }}),\n"
            "renamed as (\n"
            "    select\n"
            "        id as order_id,\n"
            "        customer_ref as customer_id,\n"
            "        ordered_on,   /* the day it was placed */\n"
            "        status\n"
            "    from source\n"
            ")\n"
            "select order_id, customer_id, ordered_on AS order_date, status from renamed\n");
  EXPECT_EQ(orders->rows_old, 8);
  EXPECT_EQ(orders->columns_new, (std::vector<std::string>{"order_id", "customer_id", "order_date", "status"}));
  const DbtModelCheck* payments = Find(*v, "stg_payments");
  ASSERT_NE(payments, nullptr);
  EXPECT_EQ(payments->rewrite.text,
            "select id as payment_id, order_id, payment_method,\r\n"
            "  amount_cents / 100.0 as amount  -- cents to dollars\r\n"
            "from {{ source('shop', 'payments') }}");
  // Models that read no migrated column need no change, through refs too.
  EXPECT_EQ(Find(*v, "customers")->patch, "");
  EXPECT_EQ(Find(*v, "stg_customers")->patch, "");
  EXPECT_EQ(Find(*v, "customers")->rows_new, 4);
  // The patches name the real paths in the repository and apply with git.
  ASSERT_EQ(std::system("command -v git > /dev/null 2>&1"), 0);
  const std::string repo = shop.Path("");
  ASSERT_EQ(std::system(("cd '" + repo + "' && git init -q . && git add analytics && " +
                         "git -c user.email=t@example.com -c user.name=t commit -qm base")
                            .c_str()),
            0);
  std::string patch;
  for (const DbtModelCheck& m : v->models) patch += m.patch;
  shop.Write(".git/dbt.patch", patch);
  EXPECT_EQ(std::system(("cd '" + repo + "' && git apply --check .git/dbt.patch").c_str()), 0) << patch;
  EXPECT_NE(patch.find("+++ b/analytics/models/staging/stg_orders.sql"), std::string::npos) << patch;
}

TEST(DbtVerifierTest, PropagatedRenamesFlowThroughRefsAndVerify) {
  // source -> stg_orders -> customers: with propagation stg_orders outputs ordered_on, and
  // customers, which refs it, follows; a mart reading customers needs no change.
  ShopProject shop;
  shop.Write("analytics/models/marts/first_orders.sql",
             "select first_order, count(*) as customers from {{ ref('customers') }} group by first_order\n");
  auto p = LoadDbtProject(shop.Path("analytics"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  DbtVerifyOptions o;
  o.path_prefix = "analytics/";
  o.propagate_renames = true;
  auto v = VerifyDbtProject(*p, shop.Sources("data/payments_v2.csv"), o);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  for (const DbtModelCheck& m : v->models)
    EXPECT_EQ(m.outcome, QueryCheck::Outcome::kMatched) << m.model << ": " << m.reason;
  const DbtModelCheck* orders = Find(*v, "stg_orders");
  ASSERT_NE(orders, nullptr);
  // No `new AS old`: the star now outputs the new name.
  EXPECT_NE(orders->rewrite.text.find("        ordered_on,   /* the day it was placed */\n"), std::string::npos);
  EXPECT_NE(orders->rewrite.text.find("\nselect * from renamed\n"), std::string::npos) << orders->rewrite.text;
  EXPECT_EQ(orders->columns_new, (std::vector<std::string>{"order_id", "customer_id", "ordered_on", "status"}));
  const DbtModelCheck* customers = Find(*v, "customers");
  ASSERT_NE(customers, nullptr);
  EXPECT_NE(customers->rewrite.text.find("select customer_id, min(ordered_on) as first_order,"), std::string::npos)
      << customers->rewrite.text;
  EXPECT_NE(customers->patch.find("+++ b/analytics/models/customers.sql"), std::string::npos);
  EXPECT_EQ(customers->rows_new, 4);
  EXPECT_EQ(Find(*v, "first_orders")->patch, "");
  EXPECT_EQ(Find(*v, "first_orders")->outcome, QueryCheck::Outcome::kMatched);
  // Keep and propagate give different patches of stg_orders; both verify.
  auto kept = VerifyDbtProject(*p, shop.Sources("data/payments_v2.csv"), DbtVerifyOptions{.path_prefix = "analytics/"});
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->passed()) << kept->Summary();
  EXPECT_NE(Find(*kept, "stg_orders")->patch, orders->patch);
  EXPECT_EQ(Find(*kept, "customers")->patch, "");
  // The propagated patches apply with git.
  const std::string repo = shop.Path("");
  ASSERT_EQ(std::system(("cd '" + repo + "' && git init -q . && git add analytics && " +
                         "git -c user.email=t@example.com -c user.name=t commit -qm base")
                            .c_str()),
            0);
  std::string patch;
  for (const DbtModelCheck& m : v->models) patch += m.patch;
  shop.Write(".git/dbt.patch", patch);
  EXPECT_EQ(std::system(("cd '" + repo + "' && git apply --check .git/dbt.patch").c_str()), 0) << patch;
}

TEST(DbtVerifierTest, APlantedUnitChangeIsCaughtWithRows) {
  ShopProject shop;
  auto p = LoadDbtProject(shop.Path("analytics"));
  ASSERT_TRUE(p.ok());
  auto v = VerifyDbtProject(*p, shop.Sources("data/payments_bad.csv"), {});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_FALSE(v->passed());
  const DbtModelCheck* payments = Find(*v, "stg_payments");
  ASSERT_NE(payments, nullptr);
  EXPECT_EQ(payments->outcome, QueryCheck::Outcome::kMismatched);
  EXPECT_FALSE(payments->examples_old.empty());
  EXPECT_FALSE(payments->examples_new.empty());
  EXPECT_EQ(Find(*v, "stg_orders")->outcome, QueryCheck::Outcome::kMatched);
  EXPECT_NE(v->Summary().find("mismatched (stg_payments)"), std::string::npos) << v->Summary();
}

TEST(DbtVerifierTest, WhatCannotBeCheckedIsSaid) {
  ShopProject shop;
  shop.Write("analytics/models/marts/by_var.sql", "select * from {{ ref('customers') }} where x > {{ var('min') }}\n");
  shop.Write("analytics/models/marts/dangling.sql", "select * from {{ ref('nowhere') }}\n");
  shop.Write("analytics/models/marts/uses_dropped.sql", "select * from {{ ref('dangling') }}\n");
  auto p = LoadDbtProject(shop.Path("analytics"));
  ASSERT_TRUE(p.ok());
  auto v = VerifyDbtProject(*p, shop.Sources("data/payments_v2.csv"), {});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(Find(*v, "by_var")->outcome, QueryCheck::Outcome::kError);
  EXPECT_NE(Find(*v, "by_var")->reason.find("{{ var('min') }} is not rendered without dbt"), std::string::npos)
      << Find(*v, "by_var")->reason;
  EXPECT_NE(Find(*v, "dangling")->reason.find("nowhere"), std::string::npos) << Find(*v, "dangling")->reason;
  EXPECT_EQ(Find(*v, "uses_dropped")->outcome, QueryCheck::Outcome::kError);
  shop.Write("analytics/models/marts/after_var.sql", "select * from {{ ref('by_var') }}\n");
  auto again = VerifyDbtProject(*LoadDbtProject(shop.Path("analytics")), shop.Sources("data/payments_v2.csv"), {});
  ASSERT_TRUE(again.ok());
  EXPECT_NE(
      Find(*again, "after_var")->reason.find("refs model by_var, which could not be built: old side: line 1 col 48"),
      std::string::npos)
      << Find(*again, "after_var")->reason;
  EXPECT_EQ(Find(*v, "customers")->outcome, QueryCheck::Outcome::kMatched);
}

TEST(DbtModelTest, JinjaFoundRenderedAndKept) {
  const std::string sql =
      "{{ config(materialized='table') }}\n{#- note -#}\nselect * from {{ ref(\"pkg\", 'm') }} join "
      "{{source('s','t')}} using (id) {% if true %}{% endif %}{{ other() }}";
  auto blocks = ScanDbtJinja(sql);
  ASSERT_TRUE(blocks.ok());
  ASSERT_EQ(blocks->size(), 7u);
  EXPECT_EQ((*blocks)[0].kind, DbtJinja::Kind::kConfig);
  EXPECT_EQ((*blocks)[1].kind, DbtJinja::Kind::kComment);
  EXPECT_EQ((*blocks)[2].kind, DbtJinja::Kind::kRef);
  EXPECT_EQ((*blocks)[2].args, (std::vector<std::string>{"pkg", "m"}));
  EXPECT_EQ((*blocks)[3].kind, DbtJinja::Kind::kSource);
  EXPECT_EQ((*blocks)[3].line, 3);
  EXPECT_EQ((*blocks)[4].kind, DbtJinja::Kind::kOther);
  EXPECT_EQ((*blocks)[5].kind, DbtJinja::Kind::kOther);
  EXPECT_EQ((*blocks)[6].kind, DbtJinja::Kind::kOther);
  auto refs = DbtRefs(sql);
  ASSERT_TRUE(refs.ok());
  EXPECT_EQ(*refs, std::vector<std::string>{"m"});
  auto rendered = RenderDbtModel("{{ config(a='b') }}\nselect 1 from {{ ref('m') }}",
                                 [](const DbtJinja& j) { return Result<std::string>("rel_" + j.args.back()); });
  ASSERT_TRUE(rendered.ok());
  EXPECT_EQ(*rendered, "\nselect 1 from rel_m");
  EXPECT_FALSE(ScanDbtJinja("select {{ ref('x') ").ok());
  // Whitespace control ({{- -}}) and a kwarg-less call with spaces are still refs and sources.
  auto trimmed = ScanDbtJinja("select * from {{- ref( 'm' ) -}} join {{-source(\"s\",\"t\")}}");
  ASSERT_TRUE(trimmed.ok());
  ASSERT_EQ(trimmed->size(), 2u);
  EXPECT_EQ((*trimmed)[0].kind, DbtJinja::Kind::kRef);
  EXPECT_EQ((*trimmed)[1].kind, DbtJinja::Kind::kSource);
  // A ref with a keyword argument is not guessed at.
  auto versioned = ScanDbtJinja("select * from {{ ref('m', v=2) }}");
  ASSERT_TRUE(versioned.ok());
  EXPECT_EQ((*versioned)[0].kind, DbtJinja::Kind::kOther);
}

}  // namespace
}  // namespace gaggle
