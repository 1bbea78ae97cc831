using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Flash;

namespace AmebaOta.Tests.Flash;

/// <summary>Power-cut injection at a chosen erase or program, with and without tearing the interrupted operation.</summary>
public class PowerCutTests
{
    private static NorFlash ZeroChip() => new(new byte[FlashLayout.OneMiB]);

    [Fact]
    public void Cut_without_tear_stops_the_nth_operation_before_it_changes_anything()
    {
        var flash = ZeroChip();
        var completed = new List<long>();
        flash.OperationCompleted += op => completed.Add(op.Number);
        flash.SchedulePowerCut(new FlashPowerCut(3));

        flash.EraseSector(0x0000);
        flash.EraseSector(0x1000);
        var cut = Assert.Throws<PowerCutException>(() => flash.EraseSector(0x2000));

        Assert.Equal(3, cut.Operation);
        Assert.True(flash.IsPoweredOff);
        Assert.Equal([1L, 2L], completed);
        Assert.True(flash.Read(0x2000, 0x1000).All(b => b == 0x00));
        Assert.True(flash.Read(0x1000, 0x1000).All(b => b == 0xFF));
    }

    [Fact]
    public void Torn_erase_leaves_the_first_half_of_the_sector_erased()
    {
        var flash = ZeroChip();
        flash.SchedulePowerCut(new FlashPowerCut(1, Tear: true));

        Assert.Throws<PowerCutException>(() => flash.EraseSector(0x9000));

        Assert.True(flash.Read(0x9000, 0x800).All(b => b == 0xFF));
        Assert.True(flash.Read(0x9800, 0x800).All(b => b == 0x00));
    }

    [Fact]
    public void Torn_program_leaves_the_first_half_of_the_bytes_programmed()
    {
        var flash = new NorFlash(FlashLayout.OneMiB);
        flash.SchedulePowerCut(new FlashPowerCut(2, Tear: true));
        flash.ProgramU32(0x0, 0); // operation 1 completes

        Assert.Throws<PowerCutException>(() => flash.Program(0x80000, new byte[512]));

        Assert.True(flash.Read(0x80000, 256).All(b => b == 0x00));
        Assert.True(flash.Read(0x80100, 256).All(b => b == 0xFF));
    }

    [Fact]
    public void Untorn_program_cut_programs_nothing()
    {
        var flash = new NorFlash(FlashLayout.OneMiB);
        flash.SchedulePowerCut(new FlashPowerCut(1));
        Assert.Throws<PowerCutException>(() => flash.Program(0x80000, new byte[512]));
        Assert.True(flash.Read(0x80000, 512).All(b => b == 0xFF));
    }

    [Fact]
    public void After_a_cut_every_operation_throws_until_power_on_and_reads_still_see_the_contents()
    {
        var flash = new NorFlash(FlashLayout.OneMiB);
        flash.SchedulePowerCut(new FlashPowerCut(1));
        Assert.Throws<PowerCutException>(() => flash.ProgramU32(0x100, 0));

        Assert.Throws<PowerCutException>(() => flash.EraseSector(0));
        Assert.Throws<PowerCutException>(() => flash.ProgramU32(0x200, 0));
        Assert.Equal(0xFFFFFFFFu, flash.ReadU32(0x200));

        flash.PowerOn();
        Assert.False(flash.IsPoweredOff);
        flash.ProgramU32(0x200, 0x12345678);
        flash.EraseSector(0x1000);
        Assert.Equal(0x12345678u, flash.ReadU32(0x200)); // no second cut: the plan is gone
    }

    [Fact]
    public void The_operation_number_counts_from_when_the_plan_is_set()
    {
        var flash = new NorFlash(FlashLayout.OneMiB);
        for (int i = 0; i < 5; i++) flash.EraseSector((uint)i * 0x1000);
        flash.SchedulePowerCut(new FlashPowerCut(2));

        flash.ProgramU32(0, 0);
        var cut = Assert.Throws<PowerCutException>(() => flash.ProgramU32(4, 0));

        Assert.Equal(7, cut.Operation);
        Assert.Equal(0xFFFFFFFFu, flash.ReadU32(4));
    }

    [Fact]
    public void Clearing_the_plan_cancels_the_cut_and_numbers_below_one_are_refused()
    {
        var flash = new NorFlash(FlashLayout.OneMiB);
        flash.SchedulePowerCut(new FlashPowerCut(1));
        flash.SchedulePowerCut(null);
        flash.ProgramU32(0, 0);
        Assert.False(flash.IsPoweredOff);
        Assert.Throws<ArgumentOutOfRangeException>(() => flash.SchedulePowerCut(new FlashPowerCut(0)));
    }

    [Fact]
    public void A_cut_in_the_system_data_rewrite_leaves_the_old_sector_in_the_backup()
    {
        var flash = new NorFlash(FlashLayout.OneMiB);
        var system = new SystemData(flash);
        system.SetOtaAddress(0x80000);
        flash.ProgramU32(0x9010, 0xCAFEF00D);
        // Rewrite: program(1), erase backup(2), copy 1024 words to backup(3..1026), erase system data(1027) <- cut here, torn.
        flash.SchedulePowerCut(new FlashPowerCut(1027, Tear: true));

        Assert.Throws<PowerCutException>(() => system.SetOtaAddress(0x100000));

        Assert.Equal(0xFFFFFFFFu, flash.ReadU32(0x9010)); // first half of 0x9000 erased
        Assert.Equal(0x80000u & 0x100000u, flash.ReadU32(0x8000)); // the backup holds the word as programmed before the cut
        Assert.Equal(0xCAFEF00Du, flash.ReadU32(0x8010));
    }
}
