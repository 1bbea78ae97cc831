using AmebaOta.Boot;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Protocol;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Protocol;

/// <summary>
/// Boot safety proven exhaustively, as MCUboot's simulator does: an OTA is repeated with the power cut at every one of its
/// flash operations, with and without tearing that operation, and after each cut the board must still boot a whole image,
/// the old one or the new one, with the recovery pin inactive and active.
/// </summary>
public class PowerCutDuringOtaTests
{
    private const int ImageSize = 8 * 1024;

    /// <summary>After a USB upload of v1 and its version-1 settings (OTA address 0x80000, recovery pin 18).</summary>
    private static NorFlash FirstUpdateChip()
    {
        var flash = TestImages.ChipWith(TestImages.Image(1, ImageSize));
        var system = new SystemData(flash);
        system.SetOtaAddress(FlashLayout.DefaultOtaAddress);
        system.SetRecoveryPins(RecoveryPin.ActiveHighFor(PinMap.Rtl8195a.ToChip(18)!.Value).Raw);
        return flash;
    }

    /// <summary>After a first OTA: v1 at 0xB000 marked old, v2 at 0x80000 signed new.</summary>
    private static NorFlash SecondUpdateChip()
    {
        var flash = FirstUpdateChip();
        var v2 = TestImages.Image(2, ImageSize);
        for (uint s = 0; s < v2.Length; s += FlashLayout.SectorSize) flash.EraseSector(FlashLayout.DefaultOtaAddress + s);
        var header = SegmentHeader.Read(v2).WithSignature(SignatureState.New);
        var signed = (byte[])v2.Clone();
        header.Write(signed);
        flash.Program(FlashLayout.DefaultOtaAddress, signed);
        flash.ProgramU32(FlashLayout.DefaultImage2 + 8, ImageSignature.OldWord1);
        return flash;
    }

    public static TheoryData<string> Scenarios => ["first update (v1 → v2)", "second update (v1 old, v2 → v3)"];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task A_power_cut_at_any_flash_operation_of_an_ota_leaves_a_board_that_boots_the_old_or_the_new_image(string scenario)
    {
        bool second = scenario.StartsWith("second", StringComparison.Ordinal);
        Func<NorFlash> chip = second ? SecondUpdateChip : FirstUpdateChip;
        uint newVersion = second ? 3u : 2u;
        uint[] acceptable = second ? [1, 2, 3] : [1, 2];
        var image = TestImages.Image(newVersion, ImageSize);

        // A clean run counts the operations and checks the end state.
        var reference = chip();
        long before = reference.OperationCount;
        Assert.Equal(OtaReceiveOutcome.Success, (await RunOtaAsync(reference, image)).Outcome);
        long operations = reference.OperationCount - before;
        Assert.Equal(newVersion, Boot(reference, PinLevel.Low).Booted!.Body.Sketch!.Version);
        Assert.True(operations > ImageSize / OtaReceiver.ChunkSize, $"only {operations} flash operations");

        var outcomes = new Dictionary<uint, int>();
        for (long cut = 1; cut <= operations; cut++)
        {
            foreach (bool tear in new[] { false, true })
            {
                var flash = chip();
                flash.SchedulePowerCut(new FlashPowerCut(cut, tear));
                await Assert.ThrowsAsync<PowerCutException>(() => RunOtaAsync(flash, image));
                flash.PowerOn();

                foreach (var pin in new[] { PinLevel.Low, PinLevel.High })
                {
                    var boot = Boot(flash, pin);
                    string where = $"{scenario}, cut at operation {cut} of {operations}{(tear ? " (torn)" : "")}, pin 18 {pin}";
                    Assert.True(boot.Started, $"{where}: the board does not boot:\n{string.Join('\n', boot.Log)}");
                    uint version = boot.Booted!.Body.Sketch!.Version;
                    Assert.Contains(version, acceptable);
                    if (pin == PinLevel.Low) outcomes[version] = outcomes.GetValueOrDefault(version) + 1;
                }
            }
        }
        // Cuts early in the transfer leave the old image; a cut only at the very last operation (marking 0xB000 old) leaves the new one.
        Assert.True(outcomes.Keys.Count >= 2, string.Join(", ", outcomes.Select(o => $"v{o.Key}: {o.Value}")));
    }

    private static BootResult Boot(NorFlash flash, PinLevel pin18)
    {
        var pins = new PinLevels();
        pins[PinMap.Rtl8195a.ToChip(18)!.Value] = pin18;
        return BootLoader.Boot(flash, pins);
    }

    private static async Task<OtaReceiveResult> RunOtaAsync(NorFlash flash, byte[] image)
    {
        var harness = await ReceiverHarness.StartAsync(flash);
        try
        {
            await OtaUploader.UploadAsync(harness.Board, image);
        }
        catch (OtaUploadException)
        {
            // The board died mid-transfer: the host sees the connection drop.
        }
        return await harness.FinishAsync();
    }
}
