{{ config(x=1) }}
{# c; #}
select * from {{ ref("o") }};
select 1