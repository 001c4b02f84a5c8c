/** Fixed reference lists the generators draw from; numbers are rounded public figures, not exact. */

/**
 * [code, name, region, population 1990 (M), 2023 (M), GDP per capita 1990, 2023 (USD),
 * life expectancy 1990, 2023, CO2 tonnes per capita 1990, 2023].
 */
export type CountrySpec = readonly [
  code: string,
  name: string,
  region: string,
  pop1990: number,
  pop2023: number,
  gdppc1990: number,
  gdppc2023: number,
  life1990: number,
  life2023: number,
  co2_1990: number,
  co2_2023: number,
];

const EAP = 'East Asia & Pacific';
const ECA = 'Europe & Central Asia';
const LAC = 'Latin America & Caribbean';
const MNA = 'Middle East & North Africa';
const NAM = 'North America';
const SAS = 'South Asia';
const SSA = 'Sub-Saharan Africa';

export const COUNTRIES: readonly CountrySpec[] = [
  ['USA', 'United States', NAM, 249.6, 334.9, 23900, 80000, 75.2, 78.4, 19.3, 14.3],
  ['CAN', 'Canada', NAM, 27.7, 40.1, 21400, 53400, 77.4, 81.7, 15.7, 14.2],
  ['MEX', 'Mexico', LAC, 83.9, 128.5, 3100, 13800, 70.8, 75.0, 3.7, 3.3],
  ['BRA', 'Brazil', LAC, 150.0, 216.4, 3100, 10000, 66.3, 75.8, 1.4, 2.3],
  ['ARG', 'Argentina', LAC, 32.6, 46.7, 4300, 14200, 71.6, 76.1, 3.4, 4.0],
  ['COL', 'Colombia', LAC, 34.8, 52.1, 1500, 6950, 68.3, 77.3, 1.6, 1.8],
  ['PER', 'Peru', LAC, 22.0, 34.4, 1200, 7800, 65.5, 76.7, 0.9, 1.7],
  ['CHL', 'Chile', LAC, 13.2, 19.6, 2500, 17100, 73.6, 79.5, 2.5, 4.3],
  ['GBR', 'United Kingdom', ECA, 57.2, 68.3, 19100, 48900, 75.9, 81.0, 10.2, 4.4],
  ['DEU', 'Germany', ECA, 79.4, 84.5, 22300, 52700, 75.3, 80.7, 12.6, 7.1],
  ['FRA', 'France', ECA, 58.0, 68.2, 21800, 44500, 76.9, 83.0, 6.9, 4.3],
  ['ITA', 'Italy', ECA, 56.7, 58.9, 20800, 38400, 77.0, 83.5, 7.5, 5.3],
  ['ESP', 'Spain', ECA, 38.8, 48.4, 13800, 33500, 77.0, 83.9, 5.7, 4.6],
  ['NLD', 'Netherlands', ECA, 15.0, 17.9, 21300, 61800, 77.0, 81.9, 10.7, 7.1],
  ['SWE', 'Sweden', ECA, 8.6, 10.5, 30600, 56300, 77.5, 83.1, 6.2, 3.6],
  ['NOR', 'Norway', ECA, 4.2, 5.5, 28200, 87900, 76.5, 83.1, 7.4, 7.3],
  ['CHE', 'Switzerland', ECA, 6.7, 8.8, 38800, 99600, 77.2, 83.9, 6.4, 4.0],
  ['IRL', 'Ireland', ECA, 3.5, 5.3, 14000, 103700, 74.9, 82.4, 9.0, 6.7],
  ['PRT', 'Portugal', ECA, 10.0, 10.5, 7900, 27300, 74.0, 81.3, 4.4, 3.8],
  ['GRC', 'Greece', ECA, 10.2, 10.4, 9600, 22900, 77.1, 81.4, 7.3, 5.1],
  ['POL', 'Poland', ECA, 38.1, 36.7, 1700, 22100, 70.9, 78.2, 9.9, 7.7],
  ['UKR', 'Ukraine', ECA, 51.9, 37.0, 1570, 5180, 70.1, 73.4, 13.5, 3.8],
  ['RUS', 'Russian Federation', ECA, 148.0, 144.0, 3500, 13000, 68.9, 73.2, 14.9, 12.0],
  ['TUR', 'Turkiye', ECA, 54.0, 85.3, 2800, 13100, 64.3, 77.2, 2.6, 5.1],
  ['ISR', 'Israel', MNA, 4.7, 9.8, 13200, 52600, 76.6, 82.7, 7.1, 6.3],
  ['SAU', 'Saudi Arabia', MNA, 16.2, 36.9, 7800, 30400, 68.8, 77.9, 13.2, 18.2],
  ['ARE', 'United Arab Emirates', MNA, 1.9, 9.5, 28000, 50600, 71.9, 79.2, 27.0, 20.5],
  ['IRN', 'Iran', MNA, 56.0, 89.2, 2200, 4500, 64.6, 77.7, 4.0, 8.0],
  ['EGY', 'Egypt', MNA, 57.0, 112.7, 760, 3500, 64.6, 71.6, 1.5, 2.3],
  ['MAR', 'Morocco', MNA, 24.8, 37.8, 1030, 3700, 64.6, 75.3, 0.9, 1.9],
  ['NGA', 'Nigeria', SSA, 95.0, 223.8, 560, 1620, 46.1, 53.6, 0.5, 0.6],
  ['ETH', 'Ethiopia', SSA, 48.0, 126.5, 250, 1290, 47.1, 67.3, 0.05, 0.15],
  ['COD', 'DR Congo', SSA, 35.0, 102.3, 250, 650, 49.0, 61.6, 0.1, 0.04],
  ['KEN', 'Kenya', SSA, 23.4, 55.1, 370, 1950, 59.3, 63.6, 0.25, 0.4],
  ['GHA', 'Ghana', SSA, 14.8, 34.1, 400, 2260, 56.9, 64.5, 0.25, 0.6],
  ['ZAF', 'South Africa', SSA, 38.0, 60.4, 3200, 6000, 62.8, 61.5, 9.5, 6.7],
  ['IND', 'India', SAS, 870.0, 1428.6, 368, 2480, 58.6, 72.0, 0.6, 2.0],
  ['PAK', 'Pakistan', SAS, 115.0, 240.5, 370, 1400, 60.1, 67.6, 0.6, 0.9],
  ['BGD', 'Bangladesh', SAS, 107.0, 173.0, 300, 2550, 58.2, 73.7, 0.15, 0.6],
  ['CHN', 'China', EAP, 1135.0, 1410.7, 318, 12600, 69.1, 78.6, 1.9, 8.9],
  ['JPN', 'Japan', EAP, 123.5, 124.5, 25400, 33800, 78.8, 84.1, 8.8, 8.5],
  ['KOR', 'South Korea', EAP, 42.9, 51.7, 6600, 33100, 71.7, 83.5, 5.8, 11.6],
  ['IDN', 'Indonesia', EAP, 182.0, 277.5, 585, 4940, 63.3, 71.7, 0.8, 2.6],
  ['PHL', 'Philippines', EAP, 61.0, 117.3, 715, 3700, 65.3, 71.7, 0.7, 1.3],
  ['VNM', 'Viet Nam', EAP, 68.0, 98.9, 95, 4350, 70.6, 74.6, 0.3, 3.5],
  ['THA', 'Thailand', EAP, 56.6, 71.8, 1500, 7170, 70.2, 79.7, 1.6, 3.8],
  ['MYS', 'Malaysia', EAP, 18.0, 34.3, 2400, 11600, 70.9, 76.2, 3.1, 8.4],
  ['SGP', 'Singapore', EAP, 3.0, 5.9, 12800, 84700, 75.3, 83.1, 11.8, 8.9],
  ['AUS', 'Australia', EAP, 17.1, 26.6, 18200, 64700, 77.0, 83.3, 16.0, 14.6],
  ['NZL', 'New Zealand', EAP, 3.4, 5.2, 13500, 48500, 75.4, 82.1, 7.3, 6.1],
];
