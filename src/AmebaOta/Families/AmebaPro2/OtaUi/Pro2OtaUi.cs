using AmebaOta.Families.AmebaPro2.Flash;
using AmebaOta.Families.AmebaPro2.Images;

namespace AmebaOta.Families.AmebaPro2.OtaUi;

/// <summary>
/// AmebaPro2's side of an update by OTA UI, for the host: what to check before triggering a board (docs/reference
/// sections 11.3 and 11.4) and what a failure points to.
/// </summary>
public static class Pro2OtaUi
{
    /// <summary>
    /// Refuses an image a board would fail on (no valid trailer, a last block shorter than the trailer, larger than a
    /// 4 MiB slot) or would write and never boot (not newer than <paramref name="running"/>); without
    /// <paramref name="running"/>, warns that the boot rule cannot be checked.
    /// </summary>
    public static OtaUiCheck Check(IFirmwareImage file, IFirmwareImage? running)
    {
        if (file is not Pro2Image image) return new OtaUiCheck([$"not an AmebaPro2 image ({file.KindDescription})"], [], null);
        var slot = new Pro2Slot(2, Pro2PartitionTable.Fw2Start, Pro2PartitionTable.SlotLength);
        var refusals = Pro2ImageCheck.Problems(image, slot).ToList();
        var warnings = new List<string>();
        string? boots = null;
        if (running is Pro2Image current)
        {
            if (Pro2ImageCheck.WouldBoot(image, current.Stamp) is { } never) refusals.Add(never);
            else boots = $"its manifest ({image.Stamp}) is newer than what the board runs ({current.Stamp}): the boot code picks the newer slot";
        }
        else
        {
            warnings.Add("the history does not know which build the board runs: if that build's manifest is as new as this image's " +
                $"({image.Stamp}), the board will write this image and keep booting its current firmware, and nothing on the wire shows it");
        }
        return new OtaUiCheck(refusals, warnings, boots);
    }

    /// <summary>A board that stops within its first 64 KiB of a larger image was most likely built with OTA Mode: Disable.</summary>
    public static string? FailureHint(OtaUiFailure failure) =>
        !failure.TookEverything && failure.ImageLength > Pro2PartitionTable.OtaModeOffFw2Length && failure.Acked < Pro2PartitionTable.OtaModeOffFw2Length
            ? "it stopped within the first 64 KiB of a larger image, which is what a board does whose partition table has a 64 KiB FW2: its " +
              "firmware was uploaded by USB with Tools > OTA Mode: Disable (it prints \"target_fw_len=0x10000\"); upload once by USB with " +
              "OTA Mode: Enable (two 4 MiB slots), then every OTA update fits"
            : null;
}
