using System.Net;
using AmebaOta.Boards;
using AmebaOta.Families.Ameba1.Boot;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Families.Ameba1.Pull;
using AmebaOta.Families.Ameba1.Pull.Board;
using AmebaOta.Flash;
using AmebaOta.Pins;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Pull;

/// <summary>
/// Boot safety of every pull path, proven as <see cref="Protocol.PowerCutDuringOtaTests"/> proves it for the push path: a
/// whole pull is repeated with the power cut at every one of its flash operations (system-data rewrite, erase, every
/// program, signatures, the "old" mark), torn and not, and after each cut the board must still boot a whole image,
/// the old one or the new one, with the recovery pin inactive and active. The SDK paths begin by rewriting the system-data
/// sector through the backup sector (some 2,050 operations of the same <see cref="SdkOta"/> code): the sdk-local first-update
/// case cuts at every one of them, the other SDK cases at every 16th (and every operation after).
/// </summary>
public class PowerCutDuringPullTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int ImageSize = 8 * 1024;

    private static byte[] FirstUpdateTemplate()
    {
        var flash = TestImages.ChipWith(TestImages.Image(1, ImageSize));
        var system = new SystemData(flash);
        system.SetOtaAddress(FlashLayout.DefaultOtaAddress);
        system.SetRecoveryPins(RecoveryPin.ActiveHighFor(PinMap.Rtl8195a.ToChip(18)!.Value).Raw);
        return flash.Contents.ToArray();
    }

    private static byte[] SecondUpdateTemplate()
    {
        var flash = new NorFlash(FirstUpdateTemplate());
        var v2 = TestImages.Image(2, ImageSize);
        for (uint s = 0; s < v2.Length; s += FlashLayout.SectorSize) flash.EraseSector(FlashLayout.DefaultOtaAddress + s);
        var signed = (byte[])v2.Clone();
        SegmentHeader.Read(v2).WithSignature(SignatureState.New).Write(signed);
        flash.Program(FlashLayout.DefaultOtaAddress, signed);
        flash.ProgramU32(FlashLayout.DefaultImage2 + 8, ImageSignature.OldWord1);
        return flash.Contents.ToArray();
    }

    public static TheoryData<string, string> Cases => new()
    {
        { "cloud", "first" }, { "cloud", "second" },
        { "sdk-local", "first" }, { "sdk-local", "second" },
        { "sdk-http", "first" }, { "sdk-http", "second" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_power_cut_at_any_flash_operation_of_a_pull_leaves_a_board_that_boots_the_old_or_the_new_image(string path, string scenario)
    {
        bool second = scenario == "second";
        var template = second ? SecondUpdateTemplate() : FirstUpdateTemplate();
        uint newVersion = second ? 3u : 2u;
        uint[] acceptable = second ? [1, 2, 3] : [1, 2];
        await using var server = new PullTestServer(PullImage.From(ImageFile.Parse(TestImages.Image(newVersion, ImageSize))));

        var reference = new NorFlash((byte[])template.Clone());
        var systemDataOps = new HashSet<long>();
        reference.OperationCompleted += op =>
        {
            if (op.Address is >= FlashLayout.BackupSector and < FlashLayout.SystemData + FlashLayout.SectorSize) systemDataOps.Add(op.Number);
        };
        Assert.True(await PullAsync(path, reference, server), "the clean run fails");
        long operations = reference.OperationCount;
        bool everyRewriteOp = path == "cloud" || (path == "sdk-local" && !second);
        Assert.Equal(newVersion, Boot(reference, PinLevel.Low).Booted!.Body.Sketch!.Version);
        Assert.True(operations > ImageSize / 512, $"only {operations} flash operations");

        var outcomes = new Dictionary<uint, int>();
        int interrupted = 0;
        for (long cut = 1; cut <= operations; cut++)
        {
            if (!everyRewriteOp && systemDataOps.Contains(cut) && cut % 16 != 0 && systemDataOps.Contains(cut + 1)) continue;
            foreach (bool tear in new[] { false, true })
            {
                interrupted++;
                var flash = new NorFlash((byte[])template.Clone());
                flash.SchedulePowerCut(new FlashPowerCut(cut, tear));
                await Assert.ThrowsAsync<PowerCutException>(() => PullAsync(path, flash, server));
                flash.PowerOn();
                foreach (var pin in new[] { PinLevel.Low, PinLevel.High })
                {
                    var boot = Boot(flash, pin);
                    string where = $"{path}, {scenario} update, cut at operation {cut} of {operations}{(tear ? " (torn)" : "")}, pin 18 {pin}";
                    Assert.True(boot.Started, $"{where}: the board does not boot:\n{string.Join('\n', boot.Log)}");
                    Assert.Contains(boot.Booted!.Body.Sketch!.Version, acceptable);
                    if (pin == PinLevel.Low) outcomes[boot.Booted.Body.Sketch.Version] = outcomes.GetValueOrDefault(boot.Booted.Body.Sketch.Version) + 1;
                }
            }
        }
        // Every interrupted run reaching this line booted a whole image with the pin low and high (asserted above).
        output.WriteLine($"pull {path}, {scenario} update: 0 of {interrupted} interrupted runs unbootable ({operations} flash operations" +
            $"{(everyRewriteOp ? "" : ", system-data rewrite cut at every 16th")}; booted with pin low: {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"v{o.Key} ×{o.Value}"))})");
        // CloudOTA marks 0xB000 old last: a cut there leaves the new image. The SDK paths write the new image's second
        // signature word last and never mark 0xB000 old, so on a first update every cut leaves the old image.
        if (path == "cloud" || second) Assert.True(outcomes.Keys.Count >= 2, string.Join(", ", outcomes.Select(o => $"v{o.Key}: {o.Value}")));
        else Assert.Equal([1u], outcomes.Keys);
    }

    private static BootResult Boot(NorFlash flash, PinLevel pin18)
    {
        var pins = new PinLevels();
        pins[PinMap.Rtl8195a.ToChip(18)!.Value] = pin18;
        return BootLoader.Boot(flash, pins);
    }

    /// <summary>One pull on this chip; true when the client reports success.</summary>
    private static async Task<bool> PullAsync(string path, NorFlash flash, PullTestServer server)
    {
        var board = new PullBoard(flash, new SerialPrinter(_ => { }), IPAddress.Loopback);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        switch (path)
        {
            case "cloud":
                var cloud = new CloudOtaClient(board);
                int checksum = await cloud.GatherOtaInfoAsync("127.0.0.1", "/check.txt", server.Http.Port, timeout.Token);
                return await cloud.BeginRemoteAsync("127.0.0.1", "/ota.bin", server.Http.Port, checksum, null, timeout.Token) == 0;
            case "sdk-local":
                return await new UpdateOtaLocal(board).RunAsync("127.0.0.1", server.Tcp.Port, timeout.Token);
            default:
                return await new HttpUpdateOta(board).RunAsync("127.0.0.1", server.Http.Port, "", timeout.Token) == 0;
        }
    }
}
