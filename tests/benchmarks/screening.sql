-- The "floor" of the screening benchmark: what a strong SQL engineer writes in one
-- DuckDB script over the exchange files (data-exchange.md): validate every row as the
-- standard says, load duplicates once, the roster's first valid row wins, then the six
-- rules of §3 with exact integer arithmetic (money in fen). Matching is on the clear,
-- normalised ID number (no blind index).
--
-- The driver (screening_sql.py) creates the raw_* views (every cell VARCHAR, columns
-- renamed to the canonical English names, one view per kind with the file's period in
-- q / q_start / q_end and the file in src) and substitutes the $$-parameters.

-- ------------------------------------------------------------------ cell checks
CREATE OR REPLACE MACRO s(x) AS trim(coalesce(x, ''));
CREATE OR REPLACE MACRO nid(x) AS upper(trim(coalesce(x, '')));
-- GB 11643: 17 digits (as one BIGINT v, NULL when the shape is wrong) and the
-- ISO 7064 MOD 11-2 check character; the birth date 1900-01-01 … bound.
CREATE OR REPLACE MACRO id17(n) AS CASE
    WHEN regexp_full_match(n, '[0-9]{17}[0-9X]') THEN CAST(substr(n, 1, 17) AS BIGINT) END;
CREATE OR REPLACE MACRO dig(v, p) AS v // p % 10;
CREATE OR REPLACE MACRO id_ok(n, v, bound) AS
    v IS NOT NULL
    AND substr('10X98765432', 1 + (
          7 * dig(v, 10000000000000000) + 9 * dig(v, 1000000000000000)
        + 10 * dig(v, 100000000000000) + 5 * dig(v, 10000000000000) + 8 * dig(v, 1000000000000)
        + 4 * dig(v, 100000000000) + 2 * dig(v, 10000000000) + 1 * dig(v, 1000000000)
        + 6 * dig(v, 100000000) + 3 * dig(v, 10000000) + 7 * dig(v, 1000000)
        + 9 * dig(v, 100000) + 10 * dig(v, 10000) + 5 * dig(v, 1000) + 8 * dig(v, 100)
        + 4 * dig(v, 10) + 2 * dig(v, 1)) % 11, 1) = substr(n, 18, 1)
    AND coalesce(
        CAST(try_strptime(substr(n, 7, 8), '%Y%m%d') AS DATE) BETWEEN DATE '1900-01-01' AND bound,
        false);
-- The parsers below take a cell already trimmed (s) or normalised (nid, lower(s(..))): a
-- macro is expanded as text, so each query first normalises in an inner SELECT and
-- parses the resulting columns once.
-- Money: [0-9]+(\.[0-9]{1,2})? as integer fen; anything else NULL.
CREATE OR REPLACE MACRO fen(t) AS CASE
    WHEN regexp_full_match(t, '[0-9]+(\.[0-9]{1,2})?')
    THEN CAST(TRY_CAST(t AS DECIMAL(38, 2)) * 100 AS BIGINT) END;
CREATE OR REPLACE MACRO date_of(t) AS CASE
    WHEN regexp_full_match(t, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN TRY_CAST(t AS DATE) END;
CREATE OR REPLACE MACRO month_of(t) AS CASE
    WHEN regexp_full_match(t, '[0-9]{4}-[0-9]{2}') THEN TRY_CAST(t || '-01' AS DATE) END;

-- Codes (lower-cased cell): the English word or the Chinese label of the standard's tables.
CREATE OR REPLACE MACRO tax_category(c) AS CASE
    WHEN c IN ('wage', 'labor_service', 'business', 'property_lease', 'interest_dividend', 'other')
    THEN c
    WHEN c = '工资薪金' THEN 'wage' WHEN c = '劳务报酬' THEN 'labor_service'
    WHEN c = '经营所得' THEN 'business' WHEN c = '财产租赁' THEN 'property_lease'
    WHEN c = '利息股息红利' THEN 'interest_dividend' WHEN c = '其他' THEN 'other' END;
CREATE OR REPLACE MACRO benefit_type(c) AS CASE
    WHEN c IN ('pension', 'unemployment', 'work_injury') THEN c
    WHEN c = '养老金' THEN 'pension' WHEN c = '失业保险金' THEN 'unemployment'
    WHEN c = '工伤待遇' THEN 'work_injury' END;
CREATE OR REPLACE MACRO usage_code(c) AS CASE
    WHEN c IN ('residential', 'commercial', 'other') THEN c
    WHEN c = '住宅' THEN 'residential' WHEN c = '商业' THEN 'commercial'
    WHEN c = '其他' THEN 'other' END;
CREATE OR REPLACE MACRO vehicle_type(c) AS CASE
    WHEN c IN ('car', 'truck', 'motorcycle', 'other') THEN c END;
CREATE OR REPLACE MACRO business_role(c) AS CASE WHEN c IN ('legal_rep', 'shareholder') THEN c END;
CREATE OR REPLACE MACRO division_level(c) AS CASE
    WHEN c IN ('county', 'township', 'community') THEN c
    WHEN c = '区县' THEN 'county' WHEN c = '街道/乡镇' THEN 'township'
    WHEN c = '社区/村' THEN 'community' END;
CREATE OR REPLACE MACRO program_ok(c) AS c IN (
    'dibao', '最低生活保障', 'tekun', '特困人员救助供养', 'temp_aid', '临时救助',
    'low_income_recognition', '低保边缘/刚性支出困难家庭认定',
    'disability_two_subsidies', '残疾人两项补贴',
    'child_basic_living', '孤儿/事实无人抚养儿童基本生活保障',
    'elderly_subsidies', '高龄津贴/经济困难老年人补贴',
    'medical_assistance', '医疗救助', 'education_assistance', '教育救助',
    'housing_assistance', '住房救助', 'employment_assistance', '就业救助',
    'disaster_victim_assistance', '受灾人员救助');
CREATE OR REPLACE MACRO relation_ok(c) AS c IN ('户主', '配偶', '子女', '父母', '孙子女', '兄弟姐妹', '其他');
CREATE OR REPLACE MACRO labor_ok(c) AS c IN ('full', '有', 'partial', '部分', 'none', '无');
CREATE OR REPLACE MACRO health_ok(c) AS c IN ('healthy', 'chronic', '慢性病', 'serious', '重病');
CREATE OR REPLACE MACRO employment_ok(c) AS
    c IN ('employed', 'flexible', '灵活就业', 'unemployed', 'retired', 'none');

-- ------------------------------------------------------------------ roster (§1)
-- Divisions: well-formed; a township under a loaded county, a community under a loaded township.
CREATE OR REPLACE TEMP TABLE div AS
SELECT * FROM (
    SELECT rn, code, division_level(level) AS level, nullif(parent, '') AS parent
    FROM (SELECT rn, s(code) AS code, lower(s(level)) AS level, s(parent_code) AS parent
          FROM raw_divisions)
    WHERE regexp_full_match(code, '[0-9]{12}')
      AND (parent = '' OR regexp_full_match(parent, '[0-9]{12}'))
) WHERE level IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY code ORDER BY rn) = 1;
CREATE OR REPLACE TEMP TABLE communities AS
WITH counties AS (SELECT code FROM div WHERE level = 'county' AND parent IS NULL),
     townships AS (SELECT d.code FROM div d JOIN counties c ON d.parent = c.code
                   WHERE d.level = 'township')
SELECT d.code FROM div d JOIN townships t ON d.parent = t.code WHERE d.level = 'community';

-- Households: every column valid; the first valid row of a household_id wins.
CREATE OR REPLACE TEMP TABLE households AS
SELECT household_id, enrolled, verified, declared FROM (
    SELECT rn, household_id, region, program, review, date_of(enrolled_on) AS enrolled,
           last_verified_on = '' AS unverified, date_of(last_verified_on) AS verified,
           fen(monthly_benefit) AS benefit, fen(declared_monthly_income) AS declared
    FROM (SELECT rn, s(household_id) AS household_id, s(region_code) AS region,
                 lower(s(program)) AS program, upper(s(review_class)) AS review,
                 s(enrolled_on) AS enrolled_on, s(last_verified_on) AS last_verified_on,
                 s(monthly_benefit) AS monthly_benefit,
                 s(declared_monthly_income) AS declared_monthly_income
          FROM raw_households)
) WHERE household_id <> '' AND region IN (SELECT code FROM communities)
    AND program_ok(program) AND review IN ('A', 'B', 'C') AND enrolled IS NOT NULL
    AND (unverified OR verified IS NOT NULL) AND benefit IS NOT NULL AND declared IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY household_id ORDER BY rn) = 1;

-- Members: every column valid, household loaded; the first valid row of an ID wins.
CREATE OR REPLACE TEMP TABLE members AS
SELECT id, household_id FROM (
    SELECT *, id17(id) AS v FROM (
        SELECT rn, nid(id_number) AS id, s(household_id) AS household_id,
               s(relation) AS relation, lower(s(labor_ability)) AS labor,
               s(disability_grade) AS grade, lower(s(health)) AS health,
               s(is_student) AS student, lower(s(employment)) AS employment
        FROM raw_members)
) WHERE id_ok(id, v, $import_day)
    AND household_id IN (SELECT household_id FROM households)
    AND relation_ok(relation) AND labor_ok(labor)
    AND regexp_full_match(grade, '[0-9]{1,6}') AND TRY_CAST(grade AS INTEGER) <= 4
    AND health_ok(health) AND student IN ('0', '1') AND employment_ok(employment)
QUALIFY row_number() OVER (PARTITION BY id ORDER BY rn) = 1;

-- ------------------------------------------------------------------ extracts (§2)
-- Each file's valid rows, equal rows (after normalisation) once per file (src). Inner
-- SELECT: normalise the cells; middle: parse them; outer: the checks.
CREATE OR REPLACE TEMP TABLE income AS
SELECT id, month, fen FROM (
    SELECT DISTINCT src, id, month, code, fen FROM (
        SELECT src, q_start, q_end, id, id17(id) AS v, month_of(month) AS month,
               tax_category(code) AS code, fen(amount) AS fen
        FROM (SELECT src, q_start, q_end, nid(id_number) AS id, s(month) AS month,
                     lower(s(category)) AS code, s(amount) AS amount
              FROM raw_tax_income)
    ) WHERE id_ok(id, v, q_end) AND month BETWEEN q_start AND q_end
        AND code IS NOT NULL AND fen IS NOT NULL
    UNION ALL
    SELECT DISTINCT src, id, month, code, fen FROM (
        SELECT src, q_start, q_end, id, id17(id) AS v, month_of(month) AS month,
               benefit_type(code) AS code, fen(amount) AS fen
        FROM (SELECT src, q_start, q_end, nid(id_number) AS id, s(month) AS month,
                     lower(s(benefit_type)) AS code, s(amount) AS amount
              FROM raw_hrss_benefits)
    ) WHERE id_ok(id, v, q_end) AND month BETWEEN q_start AND q_end
        AND code IS NOT NULL AND fen IS NOT NULL
)
WHERE id IN (SELECT id FROM members);

CREATE OR REPLACE TEMP TABLE medical AS
SELECT id, settled_on, self_paid FROM (
    SELECT DISTINCT src, id, settled_on, total, fund, self_paid FROM (
        SELECT src, q_start, q_end, id, id17(id) AS v, date_of(settled_on) AS settled_on,
               fen(total_cost) AS total, fen(fund_paid) AS fund, fen(self_paid) AS self_paid
        FROM (SELECT src, q_start, q_end, nid(id_number) AS id, s(settled_on) AS settled_on,
                     s(total_cost) AS total_cost, s(fund_paid) AS fund_paid,
                     s(self_paid) AS self_paid
              FROM raw_medical_settlements)
    ) WHERE id_ok(id, v, q_end) AND settled_on BETWEEN q_start AND q_end
        AND total IS NOT NULL AND fund IS NOT NULL AND self_paid IS NOT NULL
)
WHERE id IN (SELECT id FROM members);

-- Snapshots: only the latest file loaded for a quarter ≤ Q counts.
CREATE OR REPLACE TEMP TABLE assets AS
SELECT 'NEW_PROPERTY' AS rule, id, dated FROM (
    SELECT id, id17(id) AS v, usage_code(code) AS code, date_of(dated) AS dated, q_end, area
    FROM (SELECT nid(id_number) AS id, lower(s(usage)) AS code, s(registered_on) AS dated,
                 q_end, s(area_m2) AS area
          FROM raw_property_registry WHERE q = '$latest_property')
) WHERE id_ok(id, v, q_end) AND code IS NOT NULL AND dated <= q_end
    AND regexp_full_match(area, '[0-9]+(\.[0-9]+)?')
UNION ALL
SELECT 'NEW_VEHICLE', id, dated FROM (
    SELECT id, id17(id) AS v, vehicle_type(code) AS code, date_of(dated) AS dated, q_end
    FROM (SELECT nid(id_number) AS id, lower(s(vehicle_type)) AS code,
                 s(registered_on) AS dated, q_end
          FROM raw_vehicle_registry WHERE q = '$latest_vehicle')
) WHERE id_ok(id, v, q_end) AND code IS NOT NULL AND dated <= q_end
UNION ALL
SELECT 'NEW_BUSINESS', id, dated FROM (
    SELECT id, id17(id) AS v, business_role(code) AS code, date_of(dated) AS dated, q_end
    FROM (SELECT nid(id_number) AS id, lower(s(role)) AS code, s(established_on) AS dated,
                 q_end
          FROM raw_business_registry WHERE q = '$latest_business')
) WHERE id_ok(id, v, q_end) AND code IS NOT NULL AND dated <= q_end;

CREATE OR REPLACE TEMP TABLE deaths AS
SELECT id, died_on FROM (
    SELECT id, id17(id) AS v, date_of(died_on) AS died_on, q_end
    FROM (SELECT nid(id_number) AS id, s(died_on) AS died_on, q_end FROM raw_death_records)
) WHERE id_ok(id, v, q_end) AND died_on <= q_end AND id IN (SELECT id FROM members);

-- ------------------------------------------------------------------ the six rules (§3)
CREATE OR REPLACE TEMP TABLE warnings AS
WITH swing AS (
    SELECT m.household_id,
           sum(CASE WHEN i.month >= $q_start THEN i.fen ELSE 0 END) AS q,
           sum(CASE WHEN i.month < $q_start THEN i.fen ELSE 0 END) AS e
    FROM income i JOIN members m USING (id)
    WHERE i.month BETWEEN $p_start AND $q_end
    GROUP BY m.household_id
), cost AS (
    SELECT m.household_id, sum(x.self_paid) AS paid
    FROM medical x JOIN members m USING (id)
    WHERE x.settled_on BETWEEN $window_start AND $q_end
    GROUP BY m.household_id
), window_income AS (
    SELECT m.household_id, sum(i.fen) AS total
    FROM income i JOIN members m USING (id)
    WHERE i.month BETWEEN $window_start AND $q_end
    GROUP BY m.household_id
), burden AS (
    SELECT c.household_id, c.paid,
           greatest(coalesce(w.total, 0), 12 * h.declared) AS annual
    FROM cost c JOIN households h USING (household_id)
    LEFT JOIN window_income w USING (household_id)
)
SELECT household_id, 'INCOME_SWING' AS rule FROM swing
WHERE (e > 0 AND abs(q - e) * $swing_den > e * $swing_num) OR (e = 0 AND q > 0)
UNION
SELECT household_id, 'MEDICAL_BURDEN' FROM burden
WHERE (annual > 0 AND paid * $burden_den > annual * $burden_num) OR (annual = 0 AND paid > 0)
UNION
SELECT m.household_id, a.rule
FROM assets a JOIN members m USING (id) JOIN households h USING (household_id)
WHERE a.dated > coalesce(h.verified, h.enrolled) AND a.dated <= $q_end
UNION
SELECT m.household_id, 'MEMBER_DECEASED' FROM deaths d JOIN members m USING (id);
