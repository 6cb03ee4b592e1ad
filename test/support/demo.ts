/** Where the demo data's households stand, as the authorisation tests pick them. */

/** The wards of Quận Hải An (Hải Phòng) before the reform. */
export const HAI_AN_WARDS = ['11410', '11411', '11413', '11414', '11416', '11419', '11422', '11425'];

/** A unit id of the demo data (`<ward code>@origin`) in one of Quận Hải An's wards. */
export const inHaiAn = (unitId: string): boolean => HAI_AN_WARDS.includes(unitId.slice(0, 5)) && unitId.endsWith('@origin');
