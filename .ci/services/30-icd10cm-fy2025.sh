# ICD-10-CM FY2025 Tabular List for the fiscal-year tests (the FY2026 list comes with the
# dev extra's simple-icd-10-cm 1.5.0). CDC's XML of the April 1, 2025 update ships unchanged
# inside simple-icd-10-cm 1.4.0: download that wheel from PyPI and take the file out of it.
icd10cm_fy2025_dir="${TMPDIR:-/tmp}/medbill-icd10cm-fy2025"
icd10cm_fy2025_xml="$icd10cm_fy2025_dir/icd10cm-tabular-April-2025.xml"
if [ ! -s "$icd10cm_fy2025_xml" ]; then
    mkdir -p "$icd10cm_fy2025_dir"
    # a failure here is reported by the tests (service_unavailable fails them under CI=true)
    if python3 -m pip download --quiet --no-deps --only-binary=:all: \
        -d "$icd10cm_fy2025_dir" "simple-icd-10-cm==1.4.0"; then
        python3 - "$icd10cm_fy2025_dir" <<'PY' || echo "ci: no ICD-10-CM FY2025 XML in the wheel"
import pathlib, sys, zipfile
folder = pathlib.Path(sys.argv[1])
wheel = next(folder.glob("simple_icd_10_cm-1.4.0-*.whl"))
with zipfile.ZipFile(wheel) as archive:
    data = archive.read("simple_icd_10_cm/data/icd10cm-tabular-April-2025.xml")
(folder / "icd10cm-tabular-April-2025.xml").write_bytes(data)
PY
    else
        echo "ci: could not download simple-icd-10-cm 1.4.0 (ICD-10-CM FY2025)"
    fi
fi
export MEDBILL_ICD10CM_FY2025_XML="$icd10cm_fy2025_xml"
