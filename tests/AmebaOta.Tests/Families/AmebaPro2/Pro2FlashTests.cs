using AmebaOta.Families;
using AmebaOta.Families.AmebaPro2.Boot;
using AmebaOta.Families.AmebaPro2.Flash;
using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Flash;
using AmebaOta.Pins;

namespace AmebaOta.Tests.Families.AmebaPro2;

/// <summary>The 16 MiB AmebaPro2 flash: partition table words where the SDK reads them, and the boot choice between FW1 and FW2.</summary>
public sealed class Pro2FlashTests
{
    [Theory]
    [InlineData(true, 0x400000u)]
    [InlineData(false, 0x10000u)]
    public void The_slots_are_the_words_at_0x2060_and_0x2080(bool otaMode, uint fw2Length)
    {
        var flash = Pro2BlankChip.Create(otaMode: otaMode);
        Assert.Equal(NorFlash.SixteenMiB, flash.Size);
        Assert.Equal(0x60000u, flash.ReadU32(0x2060));
        Assert.Equal(0x400000u, flash.ReadU32(0x2064));
        Assert.Equal(0x520000u, flash.ReadU32(0x2080));
        Assert.Equal(fw2Length, flash.ReadU32(0x2084));
        Assert.Equal(new Pro2Slot(2, 0x520000, fw2Length), Pro2PartitionTable.ReadSlot(flash, 2));
        var table = Pro2PartitionTable.Read(flash)!;
        Assert.Equal(otaMode, table.OtaMode);
        Assert.Equal(Pro2PartitionTable.Default(otaMode), table with { Records = table.Records.Select((r, i) => r with { Name = Pro2PartitionTable.Default(otaMode).Records[i].Name }).ToArray() },
            new TableComparer());
    }

    private sealed class TableComparer : IEqualityComparer<Pro2PartitionTable>
    {
        public bool Equals(Pro2PartitionTable? x, Pro2PartitionTable? y) =>
            x!.Fw1Index == y!.Fw1Index && x.Fw2Index == y.Fw2Index && x.Records.SequenceEqual(y.Records);
        public int GetHashCode(Pro2PartitionTable obj) => 0;
    }

    [Fact]
    public void A_chip_is_recognised_as_pro2_and_a_blank_one_boots_nothing()
    {
        var flash = Pro2BlankChip.Create();
        Assert.Same(BoardFamilies.AmebaPro2, BoardFamilies.IdentifyFlash(flash.Contents));
        var boot = (Pro2BootOutcome)BoardFamilies.AmebaPro2.Boot(flash, PinLevels.AllLow);
        Assert.Equal(Pro2BootResult.NoFirmware, boot.Result);
        Assert.False(boot.Started);
        Assert.Equal("== Rtl8735b IoT Platform ==", boot.Log[0]);
        Assert.Contains("[BOOT Err]Invalid Image Mani Label!", boot.Log);
    }

    [Fact]
    public void An_erased_chip_stops_in_the_rom()
    {
        var boot = Pro2BootLoader.Boot(new NorFlash(NorFlash.SixteenMiB));
        Assert.Equal(Pro2BootResult.NoPartitionTable, boot.Result);
        Assert.Equal("[BOOT Err]StartUp@0x0: Invalid RAM Img Signature!Boot_err(0xe2001811)", boot.Log[^1]);
    }

    internal static void Write(NorFlash flash, Pro2Slot slot, byte[] otaBin)
    {
        var firmware = otaBin.AsSpan(0, otaBin.Length - 4);
        for (uint a = 0; a < firmware.Length; a += NorFlash.SectorSize) flash.EraseSector(slot.Start + a);
        flash.Program(slot.Start, firmware);
    }

    [Theory]
    [InlineData(100ul, 200ul, 2)]
    [InlineData(200ul, 100ul, 1)]
    [InlineData(100ul, 100ul, 2)]
    public void The_newer_slot_boots_and_fw2_wins_a_tie(ulong fw1Time, ulong fw2Time, int expected)
    {
        var flash = Pro2BlankChip.Create();
        Write(flash, Pro2PartitionTable.Default(true).Fw1, Pro2ImageTests.Build(1, fw1Time));
        Write(flash, Pro2PartitionTable.Default(true).Fw2, Pro2ImageTests.Build(2, fw2Time));
        var boot = Pro2BootLoader.Boot(flash);
        Assert.True(boot.Started);
        Assert.Equal(expected, boot.ChosenSlot);
        Assert.Equal((uint)expected, boot.Sketch?.Version);
        Assert.Contains($"=== Load FW{expected} ===", boot.Log);
        Assert.Equal("Boot Loader <==", boot.Log[^1]);
    }

    [Fact]
    public void A_slot_without_its_label_is_not_a_candidate()
    {
        var flash = Pro2BlankChip.Create();
        var table = Pro2PartitionTable.Default(true);
        Write(flash, table.Fw1, Pro2ImageTests.Build(1, 100));
        var newer = Pro2ImageTests.Build(2, 200);
        newer.AsSpan(0, 8).Fill(0xFF);
        Write(flash, table.Fw2, newer);
        var boot = Pro2BootLoader.Boot(flash);
        Assert.Equal(1, boot.ChosenSlot);
        Assert.False(boot.Fw2!.Valid);
        Assert.Contains("only FW1", boot.Reason);
    }
}
