{{ config(materialized='view') }}
{# note #}
with source as (select * from {{ source('shop', 'orders') }})
select a from source join {{ ref('m') }} using (b)
