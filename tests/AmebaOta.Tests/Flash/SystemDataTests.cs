using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Flash;

namespace AmebaOta.Tests.Flash;

/// <summary>System-data words written as docs/reference section 3 says: program, read back, rewrite through the backup sector on mismatch.</summary>
public class SystemDataTests
{
    private static NorFlash ChipWithSystemData()
    {
        var flash = BlankChip.Create(FlashLayout.OneMiB);
        // Calibration words the rewrite must preserve, all over the sector.
        for (uint offset = 0x10; offset < 0x1000; offset += 0x40) flash.ProgramU32(0x9000 + offset, 0xA5000000 | offset);
        return flash;
    }

    [Fact]
    public void Writing_over_erased_flash_is_one_program_and_no_rewrite()
    {
        var flash = ChipWithSystemData();
        var ops = new List<FlashOperation>();
        flash.OperationCompleted += ops.Add;

        bool rewrote = new SystemData(flash).SetOtaAddress(0x80000);

        Assert.False(rewrote);
        Assert.Equal([new FlashOperation(ops[0].Number, FlashOperationKind.Program, 0x9000, 4)], ops);
        Assert.Equal(0x80000u, new SystemData(flash).OtaAddress);
    }

    [Fact]
    public void Writing_a_value_that_only_clears_bits_needs_no_rewrite()
    {
        var flash = ChipWithSystemData();
        var system = new SystemData(flash);
        system.SetOtaAddress(0x180000);
        Assert.False(system.SetOtaAddress(0x080000)); // 0x180000 & 0x080000 == 0x080000
        Assert.Equal(0x80000u, system.OtaAddress);
    }

    [Fact]
    public void Writing_over_a_different_value_rewrites_the_sector_through_the_backup_sector()
    {
        var flash = ChipWithSystemData();
        var system = new SystemData(flash);
        system.SetOtaAddress(0x80000);
        system.SetRecoveryPins(0xC5);
        flash.Program(0x8000, new byte[64]); // stale bytes in the backup sector: the rewrite must erase it first
        var before = flash.Read(0x9000, 0x1000);
        var ops = new List<FlashOperation>();
        flash.OperationCompleted += ops.Add;

        bool rewrote = system.SetOtaAddress(0x100000); // 0x80000 & 0x100000 == 0: the read-back differs

        Assert.True(rewrote);
        Assert.Equal(0x100000u, system.OtaAddress);
        var after = flash.Read(0x9000, 0x1000);
        Assert.Equal(before[4..], after[4..]); // every other word of the sector is preserved
        Assert.Equal(0x0000C5FFu, system.RecoveryPinsWord);
        Assert.True(flash.Read(0x8000, 0x1000).All(b => b == 0xFF)); // the backup sector ends erased
        // As the stock set_system_data: word by word into the backup and back.
        var expected = new List<(FlashOperationKind, uint, int)> { (FlashOperationKind.Program, 0x9000u, 4), (FlashOperationKind.Erase, 0x8000u, 0x1000) };
        for (uint i = 0; i < 0x1000; i += 4) expected.Add((FlashOperationKind.Program, 0x8000u + i, 4));
        expected.Add((FlashOperationKind.Erase, 0x9000u, 0x1000));
        for (uint i = 0; i < 0x1000; i += 4) expected.Add((FlashOperationKind.Program, 0x9000u + i, 4));
        expected.Add((FlashOperationKind.Erase, 0x8000u, 0x1000));
        Assert.Equal(expected, ops.Select(o => (o.Kind, o.Address, o.Length)));
    }

    [Fact]
    public void Set_recover_pin_stores_pin1_in_byte_1_and_pin2_in_byte_0_as_the_stock_code()
    {
        var flash = BlankChip.Create(FlashLayout.OneMiB);
        var system = new SystemData(flash);

        system.SetRecoveryPins(0x80 | 0x45, 0x80 | 0x00); // setRecoverPin(18, 17) on RTL8195A: PE_5, PA_0

        // boot_pins = (boot_pin1 << 8) | boot_pin2: the upper half is 0.
        Assert.Equal(0x0000C580u, system.RecoveryPinsWord);
        Assert.Equal(new byte[] { 0x80, 0xC5, 0x00, 0x00 }, flash.Read(0x9008, 4));
        Assert.Equal(((byte)0x80, (byte)0xC5), system.RecoveryPinBytes);
    }

    [Fact]
    public void Set_recover_pin_with_one_pin_leaves_byte_0_unused()
    {
        var flash = BlankChip.Create(FlashLayout.OneMiB);
        var system = new SystemData(flash);
        system.SetRecoveryPins(0xC5);
        Assert.Equal(0x0000C5FFu, system.RecoveryPinsWord);
        Assert.Equal(((byte)0xFF, (byte)0xC5), system.RecoveryPinBytes);
        Assert.False(system.SetRecoveryPins(0xC5)); // the same value again: read-back matches
    }

    [Fact]
    public void Erase_clears_the_ota_address_and_pins()
    {
        var flash = BlankChip.Create(FlashLayout.OneMiB);
        var system = new SystemData(flash);
        system.SetOtaAddress(0x80000);
        system.SetRecoveryPins(0xC5);
        system.Erase();
        Assert.Equal(SystemData.None, system.OtaAddress);
        Assert.Equal(0xFFFFFFFFu, system.RecoveryPinsWord);
    }
}
