using AmebaOta.Families.AmebaD.Boot;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Fleet.History;

namespace AmebaOta.Families.AmebaD.Push;

/// <summary>
/// What the host can know of the USB-after-OTA trap (docs/reference section 11.5). A board boots OTA2 whenever OTA2 is
/// valid; each update over the air goes to the bank it is not running and clears the other's signature, so the running
/// bank flips at every successful OTA; a USB upload always writes OTA1 and never flips it. So after an odd number of
/// OTA updates since the flash was last erased, the board runs OTA2 and a USB upload is written but not booted. The
/// wire says nothing of banks; the history counts the updates it saw succeed (seen back after their reboot), which gives
/// the bank if the board ran OTA1 before the first of them (it had been uploaded over USB) and took no update elsewhere.
/// An update whose outcome is unknown (sent without a reboot check, or not seen back) makes the count unreliable from then on.
/// </summary>
public static class UsbAfterOtaTrap
{
    /// <summary>The bank the board runs by the history's AmebaD updates (null: the history cannot tell), and how many it counted.</summary>
    public static (OtaBank? Bank, int Updates) BankByHistory(IEnumerable<UploadRecord> uploads)
    {
        int verified = 0;
        foreach (var u in uploads.Where(u => u.Family == BoardFamilies.AmebaD.Id).OrderBy(u => u.StartedAt))
        {
            if (u.Outcome == UploadOutcome.Rebooted) verified++;
            else if (u.Outcome is UploadOutcome.Sent or UploadOutcome.NotBack) return (null, verified);
        }
        return (verified % 2 == 1 ? OtaBank.Ota2 : OtaBank.Ota1, verified);
    }

    /// <summary>Before an update of <paramref name="board"/>: a warning when the history says it runs OTA2 (a USB upload since was not booted).</summary>
    public static string? BeforeUpdate(string board, IReadOnlyList<UploadRecord> uploads)
    {
        var (bank, count) = BankByHistory(uploads);
        if (bank != OtaBank.Ota2) return null;
        var last = uploads.Last(u => u.Outcome == UploadOutcome.Rebooted && u.Family == BoardFamilies.AmebaD.Id);
        return $"by this history {board} runs from OTA2 ({Updates(count)} seen back, the last {last.Image.FileName} at {last.EndedAt:yyyy-MM-dd HH:mm} UTC): " +
               "a sketch uploaded over USB since then was written to OTA1 and is not running (the USB-after-OTA trap); this update goes to OTA1 " +
               "and clears OTA2's signature, so the board boots it";
    }

    /// <summary>After a successful update of <paramref name="board"/> (<paramref name="uploads"/> includes it): where the new image is, and the trap when it is in OTA2.</summary>
    public static string AfterUpdate(string board, IReadOnlyList<UploadRecord> uploads)
    {
        var (bank, count) = BankByHistory(uploads);
        return bank switch
        {
            OtaBank.Ota2 => $"by this history the new image is in OTA2 ({Updates(count)} of {board} seen back): the USB-after-OTA trap is set, " +
                            $"a USB upload writes OTA1 and the board keeps booting OTA2; {AmebaDBootResult.TrapFix}",
            OtaBank.Ota1 => $"by this history the new image is in OTA1 ({Updates(count)} of {board} seen back): a USB upload replaces it as usual",
            _ => "the new image is in the bank the board was not running, OTA2 after a USB upload: an AmebaD board then keeps booting OTA2 " +
                 $"whatever a later USB upload writes to OTA1 (the USB-after-OTA trap; the history cannot tell the bank: an update was not seen back); {AmebaDBootResult.TrapFix}",
        };
    }

    private static string Updates(int count) => $"{count} OTA update{(count == 1 ? "" : "s")}";
}
