"""The top-level package: version and the mixin helper."""

import ftrack_api


def test_version_is_the_reference_api_version():
    assert ftrack_api.__version__ == '3.1.0'


class Base:
    def who(self):
        return 'base'


class Loud:
    def shout(self):
        return self.who().upper()


def test_mixin_adds_behaviour_to_one_instance_only():
    first, second = Base(), Base()
    ftrack_api.mixin(first, Loud)
    assert first.shout() == 'BASE'
    assert type(first).__name__ == 'BaseLoud'
    assert isinstance(first, Base) and isinstance(first, Loud)
    assert not hasattr(second, 'shout')


def test_mixin_takes_a_name_and_is_idempotent():
    instance = Base()
    ftrack_api.mixin(instance, Loud, name='Custom')
    assert type(instance).__name__ == 'Custom'
    klass = type(instance)
    ftrack_api.mixin(instance, Loud)
    assert type(instance) is klass
